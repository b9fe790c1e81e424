using MassTransit;
using MicroComms.Messaging;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Orders.Choreography;

/// <summary>
/// Loads the order an event is about and moves it from one state to the next. Returns null when the order is
/// not in the expected state any more: the event is a redelivery or arrived late, and was already acted on.
/// </summary>
internal static class OrderTransitions
{
    public static async Task<Order?> MoveAsync(
        OrdersDbContext db,
        ConsumeContext context,
        Guid orderId,
        string from,
        string to,
        string? reason,
        TimeProvider clock)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, context.CancellationToken)
            ?? throw new PermanentFailureException($"Order {orderId} is not known to Orders.");
        if (order.State != from)
        {
            return null;
        }

        order.State = to;
        order.Reason = reason;
        order.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(context.CancellationToken);
        return order;
    }
}
