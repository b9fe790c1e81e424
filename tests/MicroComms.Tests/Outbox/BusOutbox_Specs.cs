using MassTransit;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Outbox;

public abstract class BusOutbox_Specs(TestStore store) : StoreSpecs(store)
{
    private readonly Recorder _recorder = new();

    [Fact]
    public async Task A_rolled_back_change_publishes_nothing_and_a_committed_one_publishes_exactly_once()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder);
        var rolledBack = Guid.NewGuid();
        var committed = Guid.NewGuid();

        await host.InScope(async (sp, db) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Widgets.Add(new Widget { Id = rolledBack, Name = "rolled back" });
            await sp.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(rolledBack, "rolled back"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        });
        Assert.Equal(0, await host.PendingOutboxMessages());

        await host.CreateWidget(committed, "committed");

        await _recorder.WaitFor<WidgetCreated>(m => m.Any(x => x.Id == committed));
        await WaitUntilOutboxEmpty(host);
        await host.Counters.WaitForReceived(OutboxTestHost.RecordingQueue, 1);
        var delivery = host.Services.GetRequiredService<OutboxDeliveryService<OutboxTestDbContext>>();
        Assert.Equal(0, (await delivery.DeliverPassAsync(CancellationToken.None)).Sent);

        var seen = _recorder.Of<WidgetCreated>();
        Assert.DoesNotContain(seen, m => m.Id == rolledBack);
        Assert.Single(seen, m => m.Id == committed);
    }

    [Fact]
    public async Task A_message_committed_before_a_crash_is_delivered_by_the_next_host_on_the_same_database()
    {
        var id = Guid.NewGuid();
        await using (var crashed = await OutboxTestHost.StartAsync(Database, _recorder, o => o.UseBusOutbox(deliveryService: false)))
        {
            await crashed.CreateWidget(id, "before crash");
            Assert.Equal(1, await crashed.PendingOutboxMessages());
        }

        Assert.Empty(_recorder.Of<WidgetCreated>());

        await using var restarted = await OutboxTestHost.StartAsync(Database, _recorder);
        var seen = await _recorder.WaitFor<WidgetCreated>(m => m.Count > 0);
        Assert.Equal(id, Assert.Single(seen).Id);
        await WaitUntilOutboxEmpty(restarted);
    }

    [Fact]
    public async Task Messages_of_one_owner_arrive_in_commit_order()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder);
        var id = Guid.NewGuid();
        const int count = 50;

        await host.InScope(async (sp, db) =>
        {
            var publish = sp.GetRequiredService<IPublishEndpoint>();
            for (var i = 1; i <= count; i++)
            {
                await publish.Publish(new WidgetRenamed(id, i));
            }

            await db.SaveChangesAsync();
        });

        var seen = await _recorder.WaitFor<WidgetRenamed>(m => m.Count >= count);
        Assert.Equal(Enumerable.Range(1, count), seen.Select(m => m.Sequence));
    }

    [Fact]
    public async Task Messages_committed_where_the_delivery_service_runs_are_sent_from_memory_without_a_claim_pass()
    {
        var leases = new RecordingLeaseStore();
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, services: s => s.AddSingleton<IOutboxLeaseStore>(leases));
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();

        // The hand-off opens when the delivery service starts, which may be after the host's start returned (seen on a
        // loaded machine: a commit before it was left to a claim pass).
        await leases.ClaimStarted.Task.WaitAsync(Poll.DefaultTimeout);

        await Task.WhenAll(ids.Select(id => host.CreateWidget(id, "handed over")));

        var seen = await _recorder.WaitFor<WidgetCreated>(m => m.Count >= ids.Count);
        await WaitUntilOutboxEmpty(host);
        Assert.Equal(ids.Order(), seen.Select(m => m.Id).Order());
        Assert.Equal(0, leases.OwnersClaimed);
    }

    [Fact]
    public async Task Owners_handed_over_but_unsent_when_the_host_stops_are_released_for_the_next_host_at_once()
    {
        // Claim passes never finish here, so only the hand-off could deliver; the host stops before it gets the chance.
        var parked = new RecordingLeaseStore(holdClaims: true);
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        await using (var stopping = await OutboxTestHost.StartAsync(Database, _recorder, services: s => s.AddSingleton<IOutboxLeaseStore>(parked)))
        {
            await parked.ClaimStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var id in ids)
            {
                await stopping.InScope(async (sp, db) =>
                {
                    await sp.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(id, "stopped"));
                    await db.SaveChangesAsync();
                });
            }

            var leased = await stopping.Query(db => db.Set<OutboxState>().AsNoTracking().ToListAsync());
            Assert.Equal(ids.Count, leased.Count);
            Assert.All(leased, o => Assert.NotNull(o.LockedUntil));
        }

        Assert.Empty(_recorder.Of<WidgetCreated>());
        await using (var inspect = await OutboxTestHost.StartAsync(Database, _recorder, o => o.UseBusOutbox(deliveryService: false)))
        {
            var released = await inspect.Query(db => db.Set<OutboxState>().AsNoTracking().ToListAsync());
            Assert.Equal(ids.Count, released.Count);
            Assert.All(released, o => Assert.Null(o.LockedUntil));
        }

        // Well inside the 60 s lease the owners were committed with.
        await using var next = await OutboxTestHost.StartAsync(Database, _recorder);
        var seen = await _recorder.WaitFor<WidgetCreated>(m => m.Count >= ids.Count, TimeSpan.FromSeconds(15));
        Assert.Equal(ids.Order(), seen.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task A_save_retried_inside_a_transaction_after_a_failed_save_is_sent_once_committed_and_never_when_rolled_back()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder);
        var existing = Guid.NewGuid();
        await host.AddWidget(existing, "existing");

        var rolledBack = Guid.NewGuid();
        var committed = Guid.NewGuid();
        foreach (var (id, commit) in new[] { (rolledBack, false), (committed, true) })
        {
            await host.InScope(async (sp, db) =>
            {
                var duplicate = new Widget { Id = existing, Name = "duplicate" };
                db.Widgets.Add(duplicate);
                await sp.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(id, "retried"));
                await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
                db.Entry(duplicate).State = EntityState.Detached;

                await using var transaction = await db.Database.BeginTransactionAsync();
                await db.SaveChangesAsync();
                await (commit ? transaction.CommitAsync() : transaction.RollbackAsync());
            });
        }

        // Well inside the 60 s lease: the failed save must not have left the owner leased to the hand-off.
        await _recorder.WaitFor<WidgetCreated>(m => m.Any(x => x.Id == committed), TimeSpan.FromSeconds(15));
        await WaitUntilOutboxEmpty(host);
        var seen = _recorder.Of<WidgetCreated>();
        Assert.DoesNotContain(seen, m => m.Id == rolledBack);
        Assert.Single(seen, m => m.Id == committed);
    }

    [Fact]
    public async Task Two_delivery_services_on_one_database_send_each_message_once()
    {
        const int owners = 200;
        var ids = Enumerable.Range(0, owners).Select(_ => Guid.NewGuid()).ToList();
        await using (var writer = await OutboxTestHost.StartAsync(Database, _recorder, o => o.UseBusOutbox(deliveryService: false)))
        {
            await Task.WhenAll(ids.Select(id => writer.InScope(async (sp, db) =>
            {
                await sp.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(id, "raced"));
                await db.SaveChangesAsync();
            })));
        }

        // Small batches, so the two services race for the same owners many times over.
        var both = await Task.WhenAll(
            OutboxTestHost.StartAsync(Database, _recorder, o => o.QueryMessageLimit = 5, recordingConcurrency: 8),
            OutboxTestHost.StartAsync(Database, _recorder, o => o.QueryMessageLimit = 5, recordingConcurrency: 8));
        await using var first = both[0];
        await using var second = both[1];

        await _recorder.WaitFor<WidgetCreated>(m => m.Select(x => x.Id).Distinct().Count() == owners, TimeSpan.FromSeconds(60));
        await WaitUntilOutboxEmpty(first);

        // Every send is enqueued before its row is deleted; once both buses consumed all they were sent, nothing is in flight.
        await Poll.Until(() => first.Counters.Received(OutboxTestHost.RecordingQueue) + second.Counters.Received(OutboxTestHost.RecordingQueue)
            == _recorder.Of<WidgetCreated>().Count);
        var seen = _recorder.Of<WidgetCreated>();
        Assert.Equal(owners, seen.Select(m => m.Id).Distinct().Count());
        Assert.Equal(owners, seen.Count);
    }

    [Fact]
    public async Task A_poison_message_is_set_aside_with_its_reason_and_the_messages_behind_it_are_delivered()
    {
        var id = Guid.NewGuid();
        await using (var writer = await OutboxTestHost.StartAsync(Database, _recorder, o => o.UseBusOutbox(deliveryService: false)))
        {
            await writer.InScope(async (sp, db) =>
            {
                var publish = sp.GetRequiredService<IPublishEndpoint>();
                for (var i = 1; i <= 3; i++)
                {
                    await publish.Publish(new WidgetRenamed(id, i));
                }

                await db.SaveChangesAsync();
            });

            // The second message's headers no longer deserialize.
            await writer.Query(async db =>
            {
                var second = await db.Set<OutboxMessage>().OrderBy(m => m.SequenceNumber).Skip(1).Select(m => m.SequenceNumber).FirstAsync();
                return await db.Set<OutboxMessage>().Where(m => m.SequenceNumber == second)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.Headers, "{not json"));
            });
        }

        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, o => o.MaxDeliveryAttempts = 2);

        var seen = await _recorder.WaitFor<WidgetRenamed>(m => m.Count >= 2);
        Assert.Equal([1, 3], seen.Select(m => m.Sequence));

        // A message is consumed once the broker has it, a moment before the delivery pass records it as sent.
        await Poll.Until(async () => await host.Query(db => db.Set<OutboxMessage>().CountAsync()) == 1);
        var parked = await host.Query(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync());
        Assert.NotNull(parked.SetAside);
        Assert.Equal(2, parked.DeliveryAttempts);
        Assert.Contains("Json", parked.FailureReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await host.PendingOutboxMessages());
    }

    protected static Task WaitUntilOutboxEmpty(OutboxTestHost host) =>
        Poll.Until(async () => await host.PendingOutboxMessages() == 0 && await host.Query(db => db.Set<OutboxState>().CountAsync()) == 0);
}

public sealed class BusOutbox_Specs_on_Sqlite() : BusOutbox_Specs(TestStore.Sqlite)
{
    private readonly Recorder _recorder = new();

    [Fact]
    public async Task Owners_get_ids_that_sort_as_stored_in_the_order_they_were_created()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, o => o.UseBusOutbox(deliveryService: false));
        for (var i = 0; i < 20; i++)
        {
            await host.CreateWidget(Guid.NewGuid(), "ordered");
        }

        // Ordered by the key as SQLite compares it (the stored text), the rows come out in insertion (rowid) order.
        var rowIds = await host.Query(db => db.Database
            .SqlQueryRaw<long>("SELECT rowid AS Value FROM OutboxState ORDER BY OutboxId").ToListAsync());
        Assert.Equal(20, rowIds.Count);
        Assert.Equal(rowIds.Order(), rowIds);
    }
}

[Trait("Needs", "Postgres")]
public sealed class BusOutbox_Specs_on_Postgres(PostgresFixture postgres) : BusOutbox_Specs(postgres.Store), IClassFixture<PostgresFixture>;
