using System.Diagnostics;
using MicroComms.Benchmarks.Scenarios.Outbox;

namespace MicroComms.Benchmarks.Scenarios.PeerOutbox;

/// <summary>
/// The consumer-outbox shape in Wolverine: a handler behind the durable inbox stores the order and returns the event.
/// Wolverine's EF Core transactional middleware (applied because the handler takes the DbContext) saves the row and
/// the outgoing envelope in one transaction once it returns, then sends the event. Like <see cref="OutboxRelayConsumer"/>.
/// </summary>
public static class PeerRelayHandler
{
    public static PeerRelayedOrderPlaced Handle(PeerRelayOrder command, PeerOutboxDbContext db)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(db);
        db.Orders.Add(BenchOrder.From(command.Order));

        // The commit follows as soon as this returns: the stamp is as close to it as the message can carry.
        return new PeerRelayedOrderPlaced(command.Order, Stopwatch.GetTimestamp());
    }
}
