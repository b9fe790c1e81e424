using MassTransit;
using MicroComms.Contracts;
using Microsoft.Extensions.Logging;

namespace MicroComms.Orders.Choreography;

/// <summary>Stock is held: record it and ask Payments to charge. Idempotent by the state check.</summary>
public sealed class StockReservedConsumer(OrdersDbContext db, TimeProvider clock, ILogger<StockReservedConsumer> logger)
    : IConsumer<StockReserved>
{
    public async Task Consume(ConsumeContext<StockReserved> context)
    {
        var order = await OrderTransitions.MoveAsync(
            db, context, context.Message.OrderId, OrderStates.Submitted, OrderStates.StockReserved, null, clock);
        if (order is null)
        {
            logger.LogInformation("StockReserved {OrderId} ignored: the order has moved on", context.Message.OrderId);
            return;
        }

        var endpoint = await context.GetSendEndpoint(OrdersCommandAddresses.ChargePayment);
        await endpoint.Send(new ChargePayment(order.Id, order.CustomerId, order.Total), context.CancellationToken);
        logger.LogInformation("StockReserved {OrderId}: sent ChargePayment for {Amount}", order.Id, order.Total);
    }
}
