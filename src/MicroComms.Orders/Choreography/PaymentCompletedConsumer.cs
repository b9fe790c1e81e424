using MassTransit;
using MicroComms.Contracts;
using Microsoft.Extensions.Logging;

namespace MicroComms.Orders.Choreography;

/// <summary>Paid: the order is complete. Idempotent by the state check.</summary>
public sealed class PaymentCompletedConsumer(OrdersDbContext db, TimeProvider clock, ILogger<PaymentCompletedConsumer> logger)
    : IConsumer<PaymentCompleted>
{
    public async Task Consume(ConsumeContext<PaymentCompleted> context)
    {
        var order = await OrderTransitions.MoveAsync(
            db, context, context.Message.OrderId, OrderStates.StockReserved, OrderStates.Completed, null, clock);
        if (order is null)
        {
            logger.LogInformation("PaymentCompleted {OrderId} ignored: the order has moved on", context.Message.OrderId);
            return;
        }

        await context.Publish(new OrderCompleted(order.Id, order.CustomerId, order.UpdatedAt!.Value), context.CancellationToken);
        logger.LogInformation("PaymentCompleted {OrderId}: order completed", order.Id);
    }
}
