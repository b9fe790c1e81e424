using MicroComms.Contracts;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Orders;

/// <summary>
/// Answers from the order's saga row: state, reason, and when it was submitted, last changed and finished.
/// An order accepted a moment ago whose saga has not started yet is answered as Submitted from its order row.
/// <para>
/// It reads the saga table rather than asking the state machine: a query through the saga repository would write the
/// row (version bump) and compete with the workflow's own events for it.
/// </para>
/// </summary>
internal sealed class OrderStatusQuery(OrdersDbContext db) : IOrderStatusQuery
{
    public async Task<OrderStatus?> FindAsync(Guid orderId, CancellationToken cancellationToken)
    {
        // Only the columns the answer needs: the row's transitions (the console's timeline) are not read on this hot path.
        var status = await db.OrderSagas.AsNoTracking()
            .Where(s => s.CorrelationId == orderId)
            .Select(s => new OrderStatus(s.CorrelationId, s.CurrentState, s.Reason, s.Total, s.SubmittedAt, s.UpdatedAt, s.FinishedAt))
            .FirstOrDefaultAsync(cancellationToken);
        if (status is not null)
        {
            return status;
        }

        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        return order is null ? null : new OrderStatus(order.Id, OrderStates.Submitted, null, order.Total, order.SubmittedAt, null);
    }
}
