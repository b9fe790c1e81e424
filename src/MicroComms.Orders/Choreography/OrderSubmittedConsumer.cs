using MassTransit;
using MicroComms.Contracts;
using Microsoft.Extensions.Logging;

namespace MicroComms.Orders.Choreography;

/// <summary>
/// First step of the flow: ask Inventory to reserve the order's lines. No database change, so a redelivery
/// only sends the command again, and Inventory's reservation keyed by order id absorbs the repeat.
/// </summary>
public sealed class OrderSubmittedConsumer(ILogger<OrderSubmittedConsumer> logger) : IConsumer<OrderSubmitted>
{
    public async Task Consume(ConsumeContext<OrderSubmitted> context)
    {
        var endpoint = await context.GetSendEndpoint(OrdersCommandAddresses.ReserveStock);
        await endpoint.Send(new ReserveStock(context.Message.OrderId, context.Message.Lines), context.CancellationToken);
        logger.LogInformation("OrderSubmitted {OrderId}: sent ReserveStock", context.Message.OrderId);
    }
}
