using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Orders;

/// <summary>
/// Answers from the order's saga row: state, reason, and when it was submitted, last changed and finished.
/// An order accepted a moment ago whose saga has not started yet is answered as Submitted from its order row;
/// an unknown order is an <see cref="OrderNotFound"/> answer, not a timeout.
/// <para>
/// A consumer reading the saga table rather than an event of the state machine: a query through the saga
/// repository would write the row (version bump) and compete with the workflow's own events for it.
/// </para>
/// </summary>
[ReadOnlyConsumer]
public sealed class GetOrderStatusConsumer(OrdersDbContext db) : IConsumer<GetOrderStatus>
{
    public async Task Consume(ConsumeContext<GetOrderStatus> context)
    {
        var orderId = context.Message.OrderId;
        var ct = context.CancellationToken;

        var saga = await db.OrderSagas.AsNoTracking().FirstOrDefaultAsync(s => s.CorrelationId == orderId, ct);
        if (saga is not null)
        {
            await context.RespondAsync(new OrderStatus(
                saga.CorrelationId, saga.CurrentState, saga.Reason, saga.Total, saga.SubmittedAt, saga.UpdatedAt, saga.FinishedAt));
            return;
        }

        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, ct);
        if (order is null)
        {
            await context.RespondAsync(new OrderNotFound(orderId));
            return;
        }

        await context.RespondAsync(new OrderStatus(order.Id, OrderStates.Submitted, null, order.Total, order.SubmittedAt, null));
    }
}
