using MassTransit;
using MicroComms.Contracts;
using MicroComms.Orders;

namespace MicroComms.Tests.OrderSaga;

/// <summary>The saga row keeps every state change of its order: what the operator console's timeline shows.</summary>
public sealed class OrderStateTransitions_Specs
{
    [Fact]
    public async Task A_completed_order_records_each_state_change_in_order_with_the_message_that_caused_it()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.AwaitingPaymentAsync();

        await orders.Harness.Bus.Publish(new PaymentCompleted(orderId, NewId.NextGuid(), 100m));
        await orders.ReachedAsync(orderId, orders.Machine.Completed);

        var saga = await orders.ReadAsync(orderId);
        Assert.Equal(
            [("OrderSubmitted", "Submitted", null), ("StockReserved", "AwaitingPayment", null), ("PaymentCompleted", "Completed", (string?)null)],
            saga!.Transitions.Select(t => (t.Event, t.State, t.Reason)));
        Assert.Equal(saga.Transitions.Select(t => t.At).Order(), saga.Transitions.Select(t => t.At));
        Assert.Equal(saga.FinishedAt!.Value, saga.Transitions[^1].At, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_order_whose_payment_timed_out_records_the_timeout_and_its_reason()
    {
        await using var orders = await OrderSagaHarness.StartAsync(paymentTimeout: TimeSpan.FromMilliseconds(500));
        var orderId = await orders.AwaitingPaymentAsync();

        await orders.ReachedAsync(orderId, orders.Machine.Faulted);

        var last = (await orders.ReadAsync(orderId))!.Transitions[^1];
        Assert.Equal(nameof(PaymentTimedOut), last.Event);
        Assert.Equal(OrderStates.Faulted, last.State);
        Assert.Equal("Payment did not complete within 00:00:00.5000000.", last.Reason);
    }

    [Fact]
    public async Task Each_state_change_is_stored_with_the_saga_row_that_made_it_and_repeated_or_ignored_events_add_none()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var orderId = await orders.SubmitAsync();

        var submitted = await orders.ReadAsync(orderId);
        Assert.Equal(OrderStates.Submitted, submitted!.CurrentState);
        Assert.Equal([OrderStates.Submitted], submitted.Transitions.Select(t => t.State));

        await orders.Harness.Bus.Publish(new StockReservationFailed(orderId, "SKU 'KB-101': 2 wanted, 0 available."));
        await orders.ReachedAsync(orderId, orders.Machine.Faulted);
        await orders.Harness.Bus.Publish(new StockReservationFailed(orderId, "again"));
        await orders.Harness.Bus.Publish(new OrderSubmitted(orderId, "alice", [new OrderLine("KB-101", 1, 1m)], 1m, DateTimeOffset.UtcNow));
        Assert.True(await orders.Harness.Consumed.Any<StockReservationFailed>(m => m.Context.Message.Reason == "again"));
        Assert.True(await orders.Harness.Consumed.Any<OrderSubmitted>(m => m.Context.Message.Total == 1m));

        var faulted = await orders.ReadAsync(orderId);
        Assert.Equal(OrderStates.Faulted, faulted!.CurrentState);
        Assert.Equal(
            [("OrderSubmitted", "Submitted", null), ("StockReservationFailed", "Faulted", (string?)faulted.Reason)],
            faulted.Transitions.Select(t => (t.Event, t.State, t.Reason)));
        Assert.Equal("Stock could not be reserved: SKU 'KB-101': 2 wanted, 0 available.", faulted.Reason);
    }
}
