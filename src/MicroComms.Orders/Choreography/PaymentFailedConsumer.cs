using MassTransit;
using MicroComms.Contracts;
using Microsoft.Extensions.Logging;

namespace MicroComms.Orders.Choreography;

/// <summary>Payment refused: give the reserved stock back (compensation), then fault the order. Idempotent by the state check.</summary>
public sealed class PaymentFailedConsumer(OrdersDbContext db, TimeProvider clock, ILogger<PaymentFailedConsumer> logger)
    : IConsumer<PaymentFailed>
{
    public async Task Consume(ConsumeContext<PaymentFailed> context)
    {
        var reason = $"Payment failed: {context.Message.Reason}";
        var order = await OrderTransitions.MoveAsync(
            db, context, context.Message.OrderId, OrderStates.StockReserved, OrderStates.Faulted, reason, clock);
        if (order is null)
        {
            logger.LogInformation("PaymentFailed {OrderId} ignored: the order has moved on", context.Message.OrderId);
            return;
        }

        var endpoint = await context.GetSendEndpoint(OrdersCommandAddresses.ReleaseStock);
        await endpoint.Send(new ReleaseStock(order.Id), context.CancellationToken);
        await context.Publish(new OrderFaulted(order.Id, order.CustomerId, reason, order.UpdatedAt!.Value), context.CancellationToken);
        logger.LogInformation("PaymentFailed {OrderId}: sent ReleaseStock, order faulted", order.Id);
    }
}
