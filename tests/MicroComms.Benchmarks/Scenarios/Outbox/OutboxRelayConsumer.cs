using System.Diagnostics;
using MassTransit;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>
/// A service consumer under the SQLite consumer outbox: stores the order and publishes the event; the order row, the
/// inbox row and the outgoing event commit together once it returns, then the event is sent.
/// </summary>
public sealed class OutboxRelayConsumer(OutboxBenchDbContext db) : IConsumer<RelayOrderThroughOutbox>
{
    public async Task Consume(ConsumeContext<RelayOrderThroughOutbox> context)
    {
        db.Orders.Add(BenchOrder.From(context.Message.Order));
        await db.SaveChangesAsync(context.CancellationToken);

        // The commit follows as soon as this returns: the stamp is as close to it as the message can carry.
        await context.Publish(new OutboxRelayedOrderPlaced(context.Message.Order, Stopwatch.GetTimestamp()), context.CancellationToken);
    }
}
