using MassTransit;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Outbox;

/// <summary>The operator side of the outbox: messages set aside by the delivery service are seen, replayed or purged.</summary>
public abstract class OutboxMaintenance_Specs(TestStore store) : StoreSpecs(store)
{
    private readonly Recorder _recorder = new();

    [Fact]
    public async Task A_set_aside_message_is_listed_with_its_id_type_destination_attempts_and_reason()
    {
        var widget = Guid.NewGuid();
        var (host, setAside) = await SetAsideAsync(widget, renames: 3, poisoned: [2]);
        await host.DisposeAsync();

        await using var db = OutboxDbContext.Open(Database.Store, Database.ConnectionString);
        var maintenance = new OutboxMaintenance(db);
        var summary = await maintenance.SummarizeAsync(CancellationToken.None);
        var listed = Assert.Single(await maintenance.ListSetAsideAsync(10, CancellationToken.None));

        Assert.Equal(new OutboxSummary(Pending: 0, SetAside: 1, OldestPending: null), summary);
        Assert.Equal(setAside[0].MessageId, listed.MessageId);
        Assert.Contains(nameof(WidgetRenamed), listed.MessageType, StringComparison.Ordinal);
        Assert.NotNull(listed.DestinationAddress);
        Assert.Equal(1, listed.DeliveryAttempts);
        Assert.Contains("Json", listed.FailureReason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Replayed_messages_are_delivered_once_each_in_their_original_order()
    {
        var widget = Guid.NewGuid();
        var (host, setAside) = await SetAsideAsync(widget, renames: 4, poisoned: [2, 3]);
        await using var running = host;
        Assert.Equal([1, 4], _recorder.Of<WidgetRenamed>().Select(m => m.Sequence));

        // The operator fixed the cause (here: the stored headers), then replays while the service runs.
        await using (var db = OutboxDbContext.Open(Database.Store, Database.ConnectionString))
        {
            foreach (var (messageId, headers) in setAside)
            {
                await db.Set<OutboxMessage>().Where(m => m.MessageId == messageId).ExecuteUpdateAsync(u => u.SetProperty(m => m.Headers, headers));
            }

            Assert.Equal(2, await new OutboxMaintenance(db).ReplayAsync(null, CancellationToken.None));
        }

        await _recorder.WaitFor<WidgetRenamed>(m => m.Count >= 4);
        await Poll.Until(async () => await host.Query(db => db.Set<OutboxMessage>().CountAsync()) == 0
            && await host.Query(db => db.Set<OutboxState>().CountAsync()) == 0);
        var delivery = host.Services.GetRequiredService<OutboxDeliveryService<OutboxTestDbContext>>();
        Assert.Equal(0, (await delivery.DeliverPassAsync(CancellationToken.None)).Sent);
        await host.Counters.WaitForReceived(OutboxTestHost.RecordingQueue, 4);

        Assert.Equal([1, 4, 2, 3], _recorder.Of<WidgetRenamed>().Select(m => m.Sequence));
    }

    [Fact]
    public async Task Purge_deletes_set_aside_messages_and_keeps_the_ones_waiting_to_be_sent()
    {
        var (setAsideBy, _) = await SetAsideAsync(Guid.NewGuid(), renames: 1, poisoned: [1]);
        await setAsideBy.DisposeAsync();
        var waiting = Guid.NewGuid();
        await using (var writer = await OutboxTestHost.StartAsync(Database, _recorder, o => o.UseBusOutbox(deliveryService: false)))
        {
            await writer.InScope(async (sp, db) =>
            {
                await sp.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(waiting, "waiting"));
                await db.SaveChangesAsync();
            });
        }

        await using (var db = OutboxDbContext.Open(Database.Store, Database.ConnectionString))
        {
            var maintenance = new OutboxMaintenance(db);
            Assert.Equal(1, await maintenance.PurgeAsync(null, CancellationToken.None));
            var summary = await maintenance.SummarizeAsync(CancellationToken.None);
            Assert.Equal((1, 0), (summary.Pending, summary.SetAside));
            Assert.NotNull(summary.OldestPending);
        }

        await using var host = await OutboxTestHost.StartAsync(Database, _recorder);
        var seen = await _recorder.WaitFor<WidgetCreated>(m => m.Count >= 1);
        Assert.Equal(waiting, Assert.Single(seen).Id);
    }

    /// <summary>
    /// Publishes WidgetRenamed 1..<paramref name="renames"/> from one scope, breaks the stored headers of the
    /// <paramref name="poisoned"/> ones and lets a delivery service (one attempt allowed) set them aside and send the rest.
    /// Returns that host, still running, and the set-aside messages with their original headers.
    /// </summary>
    private async Task<(OutboxTestHost Host, List<(Guid MessageId, string? Headers)> SetAside)> SetAsideAsync(Guid widget, int renames, int[] poisoned)
    {
        List<(Guid MessageId, string? Headers)> broken;
        await using (var writer = await OutboxTestHost.StartAsync(Database, _recorder, o => o.UseBusOutbox(deliveryService: false)))
        {
            await writer.InScope(async (sp, db) =>
            {
                var publish = sp.GetRequiredService<IPublishEndpoint>();
                for (var i = 1; i <= renames; i++)
                {
                    await publish.Publish(new WidgetRenamed(widget, i));
                }

                await db.SaveChangesAsync();
            });

            broken = await writer.Query(async db =>
            {
                var rows = await db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.SequenceNumber).ToListAsync();
                var picked = poisoned.Select(p => rows[p - 1]).Select(r => (r.MessageId, r.Headers)).ToList();
                foreach (var (messageId, _) in picked)
                {
                    await db.Set<OutboxMessage>().Where(m => m.MessageId == messageId).ExecuteUpdateAsync(u => u.SetProperty(m => m.Headers, "{not json"));
                }

                return picked;
            });
        }

        var host = await OutboxTestHost.StartAsync(Database, _recorder, o => o.MaxDeliveryAttempts = 1);
        await _recorder.WaitFor<WidgetRenamed>(m => m.Count(x => x.Id == widget) >= renames - poisoned.Length);
        await Poll.Until(async () => await host.Query(db => db.Set<OutboxMessage>().CountAsync(m => m.SetAside != null)) == poisoned.Length
            && await host.Query(db => db.Set<OutboxState>().CountAsync()) == 0);
        return (host, broken);
    }
}

public sealed class OutboxMaintenance_Specs_on_Sqlite() : OutboxMaintenance_Specs(TestStore.Sqlite);

[Trait("Needs", "Postgres")]
public sealed class OutboxMaintenance_Specs_on_Postgres(PostgresFixture postgres) : OutboxMaintenance_Specs(postgres.Store), IClassFixture<PostgresFixture>;
