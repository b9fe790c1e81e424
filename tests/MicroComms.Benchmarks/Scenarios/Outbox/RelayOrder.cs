using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>Asks <see cref="DirectRelayConsumer"/> to publish <see cref="RelayedOrderPlaced"/> (no database, no outbox).</summary>
public sealed record RelayOrder(BenchMessage Order);
