using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.Inbox;

namespace MicroComms.Orders;

/// <summary>
/// GetOrderStatus over the bus, answered by <see cref="IOrderStatusQuery"/> (the same query as the direct calls);
/// an unknown order is an <see cref="OrderNotFound"/> answer, not a timeout.
/// </summary>
[ReadOnlyConsumer]
public sealed class GetOrderStatusConsumer(IOrderStatusQuery query) : IConsumer<GetOrderStatus>
{
    public async Task Consume(ConsumeContext<GetOrderStatus> context)
    {
        var orderId = context.Message.OrderId;
        if (await query.FindAsync(orderId, context.CancellationToken) is { } status)
        {
            await context.RespondAsync(status);
            return;
        }

        await context.RespondAsync(new OrderNotFound(orderId));
    }
}
