using MassTransit;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>The downstream consumer of every outbox-scenario route: records commit-to-consume latency and counts.</summary>
public sealed class StampedOrderConsumer<TMessage>(LatencyProbes probes) : IConsumer<TMessage>
    where TMessage : class, IStampedOrder
{
    public Task Consume(ConsumeContext<TMessage> context)
    {
        probes.Of<TMessage>().Record(context.Message.CommittedAt, context.ReceiveContext.Body.Length ?? 0);
        return Task.CompletedTask;
    }
}
