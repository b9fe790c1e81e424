using MassTransit;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>
/// An order event carrying the moment its sender committed it (a <see cref="System.Diagnostics.Stopwatch"/> timestamp:
/// sender and consumer share the process), so the consumer measures commit-to-consume latency.
/// Kept out of the publish topology: only the concrete event types get exchanges, as in the other scenarios.
/// </summary>
[ExcludeFromTopology]
public interface IStampedOrder
{
    Infrastructure.BenchMessage Order { get; }

    long CommittedAt { get; }
}
