using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>Published by a consumer directly (no outbox): the baseline of the consumer outbox.</summary>
public sealed record RelayedOrderPlaced(BenchMessage Order, long CommittedAt) : IStampedOrder;
