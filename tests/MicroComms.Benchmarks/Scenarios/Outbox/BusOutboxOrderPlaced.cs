using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>Published from a DI scope through the SQLite bus outbox; the row commits with the order row.</summary>
public sealed record BusOutboxOrderPlaced(BenchMessage Order, long CommittedAt) : IStampedOrder;
