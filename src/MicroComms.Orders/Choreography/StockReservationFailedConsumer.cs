using MassTransit;
using MicroComms.Contracts;
using Microsoft.Extensions.Logging;

namespace MicroComms.Orders.Choreography;

/// <summary>Nothing was reserved, so there is nothing to compensate: the order faults. Idempotent by the state check.</summary>
public sealed class StockReservationFailedConsumer(OrdersDbContext db, TimeProvider clock, ILogger<StockReservationFailedConsumer> logger)
    : IConsumer<StockReservationFailed>
{
    public async Task Consume(ConsumeContext<StockReservationFailed> context)
    {
        var reason = $"Stock could not be reserved: {context.Message.Reason}";
        var order = await OrderTransitions.MoveAsync(
            db, context, context.Message.OrderId, OrderStates.Submitted, OrderStates.Faulted, reason, clock);
        if (order is null)
        {
            logger.LogInformation("StockReservationFailed {OrderId} ignored: the order has moved on", context.Message.OrderId);
            return;
        }

        await context.Publish(new OrderFaulted(order.Id, order.CustomerId, reason, order.UpdatedAt!.Value), context.CancellationToken);
        logger.LogInformation("StockReservationFailed {OrderId}: order faulted", order.Id);
    }
}
