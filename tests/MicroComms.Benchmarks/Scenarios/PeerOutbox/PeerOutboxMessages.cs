using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Benchmarks.Scenarios.Outbox;

namespace MicroComms.Benchmarks.Scenarios.PeerOutbox;

// Wolverine's generated handler code references these types, so they are public like the handlers.

/// <summary>Published from a DI scope through Wolverine's EF Core outbox (IDbContextOutbox); commits with the order row.</summary>
public sealed record PeerBusOrderPlaced(BenchMessage Order, long CommittedAt) : IStampedOrder;

/// <summary>Asks <see cref="PeerRelayHandler"/>, behind Wolverine's durable inbox, to store the order and publish <see cref="PeerRelayedOrderPlaced"/>.</summary>
public sealed record PeerRelayOrder(BenchMessage Order);

/// <summary>Returned by <see cref="PeerRelayHandler"/>: commits with its order row through Wolverine's outbox.</summary>
public sealed record PeerRelayedOrderPlaced(BenchMessage Order, long CommittedAt) : IStampedOrder;
