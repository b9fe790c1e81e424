using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Benchmarks.Scenarios.Saga;

/// <summary>The bench's subscriber to the order saga's final events: the signal that a workflow is done.</summary>
public sealed class OrderOutcomeConsumer(OrderOutcomes outcomes) : IConsumer<OrderCompleted>, IConsumer<OrderFaulted>
{
    public Task Consume(ConsumeContext<OrderCompleted> context)
    {
        outcomes.Completed(context.Message.OrderId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<OrderFaulted> context)
    {
        outcomes.Faulted(context.Message.OrderId, context.Message.Reason);
        return Task.CompletedTask;
    }
}
