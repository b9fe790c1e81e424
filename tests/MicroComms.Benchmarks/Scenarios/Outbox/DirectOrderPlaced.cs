using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>Published straight through IBus: the baseline of the bus outbox.</summary>
public sealed record DirectOrderPlaced(BenchMessage Order, long CommittedAt) : IStampedOrder;
