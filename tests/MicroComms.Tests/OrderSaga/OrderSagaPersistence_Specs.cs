using MassTransit;
using MicroComms.Contracts;
using MicroComms.Orders;

namespace MicroComms.Tests.OrderSaga;

/// <summary>The saga in a real process: the SQLite repository under racing events, and a restart mid-workflow.</summary>
public sealed class OrderSagaPersistence_Specs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Many_events_for_one_order_at_once_act_once_and_end_in_the_right_state()
    {
        const int Copies = 25;
        await using var orders = await OrdersProcess.StartAsync("orders", OrdersProcess.NewDataDirectory(), new()
        {
            ["MicroComms:Orders:SagaConcurrentMessageLimit"] = "16",
        });
        var counter = new ConsumeCounter();
        orders.Bus.ConnectConsumeObserver(counter);
        var reserve = await orders.ProbeAsync<ReserveStock>("reserve-stock");
        var charge = await orders.ProbeAsync<ChargePayment>("charge-payment");
        var release = await orders.ProbeAsync<ReleaseStock>("release-stock");
        var completed = await orders.ProbeAsync<OrderCompleted>("probe-order-completed");
        var orderId = NewId.NextGuid();

        var submitted = new OrderSubmitted(orderId, "alice", [new OrderLine("KB-101", 1, 10m)], 10m, DateTimeOffset.UtcNow);
        await Task.WhenAll(Enumerable.Range(0, Copies).Select(_ => orders.Bus.Publish(submitted)));
        await reserve.WaitForAsync(1, Timeout);
        await Task.WhenAll(Enumerable.Range(0, Copies).Select(_ => orders.Bus.Publish(new StockReserved(orderId))));
        await charge.WaitForAsync(1, Timeout);
        await Task.WhenAll(Enumerable.Range(0, Copies)
            .SelectMany(_ => new[] { orders.Bus.Publish(new PaymentCompleted(orderId, Guid.Empty, 10m)), orders.Bus.Publish(new StockReserved(orderId)) }));

        await completed.WaitForAsync(1, Timeout);
        await counter.Consumed<OrderSubmitted>().WaitForAsync(Copies, Timeout);
        await counter.Consumed<StockReserved>().WaitForAsync(2 * Copies, Timeout);
        await counter.Consumed<PaymentCompleted>().WaitForAsync(Copies, Timeout);
        var status = await orders.StatusAsync(orderId);
        Assert.Equal(OrderStates.Completed, status.State);
        Assert.Equal(1, reserve.Count);
        Assert.Equal(1, charge.Count);
        Assert.Equal(1, completed.Count);
        Assert.Equal(0, release.Count);
    }

    [Fact]
    public async Task A_process_stopped_while_an_order_waits_for_payment_times_it_out_after_a_restart_and_gives_the_stock_back()
    {
        var data = OrdersProcess.NewDataDirectory();
        var settings = new Dictionary<string, string?> { ["MicroComms:Orders:PaymentTimeout"] = "00:00:02" };
        var orderId = NewId.NextGuid();
        int before;

        // Orders and Inventory, but no Payments: the order stops at AwaitingPayment with its timeout scheduled.
        await using (var first = await OrdersProcess.StartAsync("orders,inventory", data, settings))
        {
            var charge = await first.ProbeAsync<ChargePayment>("charge-payment");
            before = await first.AvailableAsync("MS-202");
            var response = await first.Bus.CreateRequestClient<SubmitOrder>(new Uri("queue:submit-order"))
                .GetResponse<OrderAccepted, OrderRejected>(new SubmitOrder(orderId, "bob", [new OrderLine("MS-202", 3, 20m)]));
            Assert.True(response.Is(out Response<OrderAccepted>? _));
            await charge.WaitForAsync(1, Timeout);
            Assert.Equal(OrderStates.AwaitingPayment, (await first.StatusAsync(orderId)).State);
            Assert.Equal(before - 3, await first.AvailableAsync("MS-202"));
        }

        await using var second = await OrdersProcess.StartAsync("orders,inventory", data, settings);
        var faulted = await second.ProbeAsync<OrderFaulted>("probe-order-faulted", m => m.OrderId == orderId);
        var released = await second.ProbeAsync<StockReleased>("probe-stock-released", m => m.OrderId == orderId);

        await faulted.WaitForAsync(1, Timeout);
        await released.WaitForAsync(1, Timeout);
        var status = await second.StatusAsync(orderId);
        Assert.Equal(OrderStates.Faulted, status.State);
        Assert.Contains("did not complete within", status.Reason, StringComparison.Ordinal);
        Assert.Equal(before, await second.AvailableAsync("MS-202"));
    }

    [Fact]
    public async Task The_status_is_answered_from_the_saga_with_its_times_and_an_unknown_order_is_not_found()
    {
        await using var orders = await OrdersProcess.StartAsync("all", OrdersProcess.NewDataDirectory(), new()
        {
            ["MicroComms:Payments:TransientFailureRate"] = "0",
        });
        var completed = await orders.ProbeAsync<OrderCompleted>("probe-order-completed");
        var orderId = NewId.NextGuid();

        await orders.Bus.CreateRequestClient<SubmitOrder>(new Uri("queue:submit-order"))
            .GetResponse<OrderAccepted, OrderRejected>(new SubmitOrder(orderId, "carol", [new OrderLine("HD-404", 1, 30m)]));
        await completed.WaitForAsync(1, Timeout);

        var status = await orders.StatusAsync(orderId);
        Assert.Equal(OrderStates.Completed, status.State);
        Assert.Equal(30m, status.Total);
        Assert.NotNull(status.FinishedAt);
        Assert.True(status.FinishedAt >= status.SubmittedAt);
        var unknown = await orders.Bus.CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"))
            .GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(NewId.NextGuid()));
        Assert.True(unknown.Is(out Response<OrderNotFound>? _));
    }
}
