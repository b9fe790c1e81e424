using MassTransit;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>The consumer of the MassTransit throughput scenarios: counts the message and returns.</summary>
public sealed class CountingConsumer(ConsumeCounter counter) : IConsumer<BenchMessage>
{
    public Task Consume(ConsumeContext<BenchMessage> context)
    {
        counter.Increment(context.ReceiveContext.Body.Length ?? 0);
        return Task.CompletedTask;
    }
}
