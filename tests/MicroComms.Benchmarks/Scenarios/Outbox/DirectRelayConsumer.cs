using System.Diagnostics;
using MassTransit;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>The consumer-outbox baseline: turns the command into an event and publishes it straight away.</summary>
public sealed class DirectRelayConsumer : IConsumer<RelayOrder>
{
    public Task Consume(ConsumeContext<RelayOrder> context) =>
        context.Publish(new RelayedOrderPlaced(context.Message.Order, Stopwatch.GetTimestamp()), context.CancellationToken);
}
