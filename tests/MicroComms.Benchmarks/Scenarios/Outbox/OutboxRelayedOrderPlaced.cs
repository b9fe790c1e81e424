using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>Published by a consumer through the SQLite consumer outbox, with its order row and inbox row.</summary>
public sealed record OutboxRelayedOrderPlaced(BenchMessage Order, long CommittedAt) : IStampedOrder;
