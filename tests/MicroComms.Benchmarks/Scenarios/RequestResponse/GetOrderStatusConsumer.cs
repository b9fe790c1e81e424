using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>The bus responder every MicroComms row (bus, Gateway HTTP, Gateway gRPC) asks: answers from the in-memory store.</summary>
public sealed class GetOrderStatusConsumer(OrderStatusStore store) : IConsumer<GetOrderStatus>
{
    public Task Consume(ConsumeContext<GetOrderStatus> context) =>
        store.Find(context.Message.OrderId) is { } status
            ? context.RespondAsync(status)
            : context.RespondAsync(new OrderNotFound(context.Message.OrderId));
}
