using MassTransit;
using MassTransit.Scheduling;
using MicroComms.Contracts;
using MicroComms.Orders;

namespace MicroComms.Tests.OrderSaga;

public sealed class OrderStateMachine_Specs
{
    [Fact]
    public async Task The_state_names_are_the_ones_GetOrderStatus_answers()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var names = orders.Machine.States.Select(s => s.Name).ToHashSet();

        Assert.Subset(names, new HashSet<string> { OrderStates.Submitted, OrderStates.AwaitingPayment, OrderStates.Completed, OrderStates.Faulted, OrderStates.Cancelled });
    }

    [Fact]
    public async Task A_submitted_order_asks_Inventory_to_reserve_its_lines()
    {
        await using var orders = await OrderSagaHarness.StartAsync();

        var orderId = await orders.SubmitAsync(total: 100m);

        Assert.True(await orders.Harness.Sent.Any<ReserveStock>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Lines.Count == 1));
        var saga = await orders.ReadAsync(orderId);
        Assert.Equal(100m, saga!.Total);
        Assert.Equal("alice", saga.CustomerId);
    }

    [Fact]
    public async Task Regression_a_submitted_time_with_an_offset_is_stored_in_utc_as_PostgreSQL_requires()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        var submitted = new DateTimeOffset(2026, 12, 4, 23, 30, 0, TimeSpan.FromHours(2));

        await orders.Harness.Bus.Publish(new OrderSubmitted(orderId, "alice", [new OrderLine("KB-101", 1, 10m)], 10m, submitted));

        await orders.ReachedAsync(orderId, orders.Machine.Submitted);
        var saga = await orders.ReadAsync(orderId);
        Assert.Equal(TimeSpan.Zero, saga!.SubmittedAt.Offset);
        Assert.Equal(submitted, saga.SubmittedAt);
    }

    [Fact]
    public async Task Reserved_stock_is_charged_and_a_payment_timeout_is_scheduled()
    {
        await using var orders = await OrderSagaHarness.StartAsync();

        var orderId = await orders.AwaitingPaymentAsync();

        Assert.True(await orders.Harness.Sent.Any<ChargePayment>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Amount == 100m));
        Assert.True(await orders.Harness.Sent.Any<ScheduleMessage>());
        Assert.NotNull((await orders.ReadAsync(orderId))!.PaymentTimeoutTokenId);
    }

    [Fact]
    public async Task A_completed_payment_completes_the_order_and_cancels_the_timeout()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.AwaitingPaymentAsync();

        await orders.Harness.Bus.Publish(new PaymentCompleted(orderId, NewId.NextGuid(), 100m));

        await orders.ReachedAsync(orderId, orders.Machine.Completed);
        Assert.True(await orders.Harness.Published.Any<OrderCompleted>(m => m.Context.Message.OrderId == orderId));
        Assert.True(await orders.Harness.Sent.Any<CancelScheduledMessage>());
        var saga = await orders.ReadAsync(orderId);
        Assert.Null(saga!.PaymentTimeoutTokenId);
        Assert.NotNull(saga.FinishedAt);
        Assert.Equal(0, orders.CountSent<ReleaseStock>(m => m.OrderId == orderId));
    }

    [Fact]
    public async Task A_failed_reservation_faults_the_order_with_nothing_to_give_back()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.SubmitAsync();

        await orders.Harness.Bus.Publish(new StockReservationFailed(orderId, "SKU 'KB-101': 2 wanted, 0 available."));

        await orders.ReachedAsync(orderId, orders.Machine.Faulted);
        Assert.True(await orders.Harness.Published.Any<OrderFaulted>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Reason.Contains("0 available", StringComparison.Ordinal)));
        Assert.False(await orders.Harness.Sent.Any<ReleaseStock>());
        Assert.False(await orders.Harness.Sent.Any<ChargePayment>());
    }

    [Fact]
    public async Task A_declined_payment_gives_the_stock_back_and_faults_the_order_with_the_reason()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.AwaitingPaymentAsync();

        await orders.Harness.Bus.Publish(new PaymentFailed(orderId, "Amount above the limit."));

        await orders.ReachedAsync(orderId, orders.Machine.Faulted);
        Assert.True(await orders.Harness.Sent.Any<ReleaseStock>(m => m.Context.Message.OrderId == orderId));
        Assert.True(await orders.Harness.Published.Any<OrderFaulted>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Reason == "Payment failed: Amount above the limit."));
        Assert.Null((await orders.ReadAsync(orderId))!.PaymentTimeoutTokenId);
    }

    [Fact]
    public async Task A_payment_that_never_comes_times_out_gives_the_stock_back_and_faults_the_order()
    {
        await using var orders = await OrderSagaHarness.StartAsync(paymentTimeout: TimeSpan.FromMilliseconds(500));
        var orderId = await orders.AwaitingPaymentAsync();

        await orders.ReachedAsync(orderId, orders.Machine.Faulted);

        Assert.True(await orders.Harness.Sent.Any<ReleaseStock>(m => m.Context.Message.OrderId == orderId));
        Assert.True(await orders.Harness.Published.Any<OrderFaulted>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Reason.Contains("did not complete within", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_payment_that_completes_after_the_timeout_is_refunded_and_the_order_stays_faulted()
    {
        await using var orders = await OrderSagaHarness.StartAsync(paymentTimeout: TimeSpan.FromMilliseconds(500));
        var orderId = await orders.AwaitingPaymentAsync();
        await orders.ReachedAsync(orderId, orders.Machine.Faulted);
        var paymentId = NewId.NextGuid();

        await orders.Harness.Bus.Publish(new PaymentCompleted(orderId, paymentId, 100m));

        Assert.True(await orders.Harness.Sent.Any<RefundPayment>(m => m.Context.Message.OrderId == orderId && m.Context.Message.PaymentId == paymentId && m.Context.Message.Amount == 100m));
        Assert.Equal(OrderStates.Faulted, (await orders.ReadAsync(orderId))!.CurrentState);
        Assert.False(await orders.Harness.Published.Any<OrderCompleted>());
    }

    [Fact]
    public async Task Cancelling_an_order_that_waits_for_payment_gives_the_stock_back_and_refunds_a_late_payment()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.AwaitingPaymentAsync();

        var response = await orders.CancelAsync(orderId);

        Assert.True(response.Is(out Response<OrderCancellationAccepted>? _));
        await orders.ReachedAsync(orderId, orders.Machine.Cancelled);
        Assert.True(await orders.Harness.Sent.Any<ReleaseStock>(m => m.Context.Message.OrderId == orderId));
        Assert.True(await orders.Harness.Sent.Any<CancelScheduledMessage>());
        Assert.True(await orders.Harness.Published.Any<OrderCancelled>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Reason == "Cancelled: changed my mind"));

        await orders.Harness.Bus.Publish(new PaymentCompleted(orderId, NewId.NextGuid(), 100m));

        Assert.True(await orders.Harness.Sent.Any<RefundPayment>(m => m.Context.Message.OrderId == orderId));
        Assert.Equal(OrderStates.Cancelled, (await orders.ReadAsync(orderId))!.CurrentState);
    }

    [Fact]
    public async Task Cancelling_before_the_stock_is_reserved_releases_it_and_a_late_reservation_charges_nothing()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.SubmitAsync();

        var response = await orders.CancelAsync(orderId);
        await orders.Harness.Bus.Publish(new StockReserved(orderId));

        Assert.True(response.Is(out Response<OrderCancellationAccepted>? _));
        Assert.True(await orders.Harness.Consumed.Any<StockReserved>(m => m.Context.Message.OrderId == orderId));
        Assert.True(await orders.Harness.Sent.Any<ReleaseStock>(m => m.Context.Message.OrderId == orderId));
        Assert.False(await orders.Harness.Sent.Any<ChargePayment>());
        Assert.Equal(OrderStates.Cancelled, (await orders.ReadAsync(orderId))!.CurrentState);
    }

    [Fact]
    public async Task Cancelling_twice_is_accepted_twice_with_one_compensation()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.AwaitingPaymentAsync();

        var first = await orders.CancelAsync(orderId);
        var second = await orders.CancelAsync(orderId);

        Assert.True(first.Is(out Response<OrderCancellationAccepted>? a));
        Assert.True(second.Is(out Response<OrderCancellationAccepted>? b));
        Assert.Equal(a.Message.CancelledAt, b.Message.CancelledAt);
        Assert.Equal(1, orders.CountSent<ReleaseStock>(m => m.OrderId == orderId));
    }

    [Fact]
    public async Task A_paid_order_cannot_be_cancelled()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.AwaitingPaymentAsync();
        await orders.Harness.Bus.Publish(new PaymentCompleted(orderId, NewId.NextGuid(), 100m));
        await orders.ReachedAsync(orderId, orders.Machine.Completed);

        var response = await orders.CancelAsync(orderId);

        Assert.True(response.Is(out Response<OrderCancellationRejected>? rejected));
        Assert.Equal(OrderStates.Completed, rejected.Message.State);
        Assert.Equal(OrderStates.Completed, (await orders.ReadAsync(orderId))!.CurrentState);
        Assert.False(await orders.Harness.Sent.Any<ReleaseStock>());
    }

    [Fact]
    public async Task Cancelling_an_unknown_order_answers_not_found()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();

        var response = await orders.CancelAsync(orderId);

        Assert.True(response.Is(out Response<OrderNotFound>? notFound));
        Assert.Equal(orderId, notFound.Message.OrderId);
    }

    [Fact]
    public async Task Duplicate_events_act_once()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.AwaitingPaymentAsync();
        var submitted = orders.Harness.Published.Select<OrderSubmitted>(m => m.Context.Message.OrderId == orderId).Single().Context.Message;
        var paymentId = NewId.NextGuid();

        await orders.Harness.Bus.Publish(submitted);
        await orders.Harness.Bus.Publish(new StockReserved(orderId));
        await orders.Harness.Bus.Publish(new PaymentCompleted(orderId, paymentId, 100m));
        await orders.ReachedAsync(orderId, orders.Machine.Completed);
        await orders.Harness.Bus.Publish(new PaymentCompleted(orderId, paymentId, 100m));

        // The late duplicate reaches a Completed order, which ignores it on purpose; wait until the bus is idle.
        await orders.Harness.InactivityTask;
        Assert.False(await orders.Harness.Published.Any<Fault>());
        Assert.Equal(1, orders.CountSent<ReserveStock>(m => m.OrderId == orderId));
        Assert.Equal(1, orders.CountSent<ChargePayment>(m => m.OrderId == orderId));
        Assert.Equal(1, orders.CountPublished<OrderCompleted>(m => m.OrderId == orderId));
        Assert.Equal(0, orders.CountSent<RefundPayment>(_ => true));
    }

    [Fact]
    public async Task Two_OrderSubmitted_for_one_order_start_one_workflow()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        var submitted = new OrderSubmitted(orderId, "alice", [new OrderLine("KB-101", 2, 50m)], 100m, DateTimeOffset.UtcNow);

        // Both at once, as when a resubmission repairs an order whose first OrderSubmitted was still in the outbox:
        // the two race to insert the saga row, and the loser is retried against the winner's row, which ignores it.
        await Task.WhenAll(orders.Harness.Bus.Publish(submitted), orders.Harness.Bus.Publish(submitted));

        await orders.ReachedAsync(orderId, orders.Machine.Submitted);
        await orders.Harness.InactivityTask;
        // A consume attempt that lost the insert race and was retried is listed again, hence "at least".
        Assert.True(orders.Harness.Consumed.Select<OrderSubmitted>(m => m.Context.Message.OrderId == orderId).Count() >= 2);
        Assert.False(await orders.Harness.Published.Any<Fault>());
        Assert.Equal(1, orders.CountSent<ReserveStock>(m => m.OrderId == orderId));
    }

    [Fact]
    public async Task Events_for_an_unknown_order_are_dropped_without_a_fault()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();

        await orders.Harness.Bus.Publish(new StockReserved(orderId));
        await orders.Harness.Bus.Publish(new PaymentCompleted(orderId, NewId.NextGuid(), 10m));

        Assert.True(await orders.Harness.Consumed.Any<PaymentCompleted>());
        Assert.True(await orders.Harness.Consumed.Any<StockReserved>());
        Assert.False(await orders.Harness.Published.Any<Fault>());
        Assert.Null(await orders.ReadAsync(orderId));
        Assert.False(await orders.Harness.Sent.Any<ChargePayment>());
    }
}
