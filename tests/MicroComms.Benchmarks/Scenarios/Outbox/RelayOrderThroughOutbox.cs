using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>Asks <see cref="OutboxRelayConsumer"/> to store the order and publish <see cref="OutboxRelayedOrderPlaced"/> through the consumer outbox.</summary>
public sealed record RelayOrderThroughOutbox(BenchMessage Order);
