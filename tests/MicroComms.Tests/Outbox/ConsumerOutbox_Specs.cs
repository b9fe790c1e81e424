using MassTransit;
using MicroComms.Messaging;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Tests.Outbox;

public abstract class ConsumerOutbox_Specs(TestStore store) : StoreSpecs(store)
{
    private readonly Recorder _recorder = new();

    [Fact]
    public async Task The_same_message_id_delivered_twice_has_one_side_effect_and_one_set_of_outgoing_messages()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder);
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{OutboxTestHost.CreateWidgetQueue}"));
        var messageId = NewId.NextGuid();
        var widget = Guid.NewGuid();

        await endpoint.Send(new CreateWidget(widget, "once"), c => c.MessageId = messageId);
        await _recorder.WaitFor<WidgetCreated>(m => m.Count >= 1);
        await endpoint.Send(new CreateWidget(widget, "once"), c => c.MessageId = messageId);
        await host.Counters.WaitForReceived(OutboxTestHost.CreateWidgetQueue, 2);

        // Outgoing messages leave before the incoming one is acknowledged: both receives done means all sends done.
        await host.Counters.WaitForReceived(OutboxTestHost.RecordingQueue, _recorder.Of<WidgetCreated>().Count);
        Assert.Equal(1, await host.Query(db => db.Widgets.Where(w => w.Id == widget).Select(w => w.Applied).SingleAsync()));
        Assert.Single(_recorder.Of<WidgetCreated>());
        Assert.Equal(0, host.Counters.ConsumeFaults);
    }

    [Fact]
    public async Task Copies_of_one_message_id_consumed_concurrently_have_one_effect_and_none_faults()
    {
        const int Widgets = 10;
        const int Copies = 4;
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, createWidgetConcurrency: 8, recordingConcurrency: 4);
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{OutboxTestHost.CreateWidgetQueue}"));
        var messages = Enumerable.Range(0, Widgets).Select(_ => (MessageId: NewId.NextGuid(), Widget: Guid.NewGuid())).ToList();

        // Interleaved, so copies of one id reach the endpoint's concurrent consumers at the same time: the inbox row's
        // unique key lets one commit and sends the others down the duplicate path.
        await Task.WhenAll(Enumerable.Range(0, Copies).SelectMany(_ => messages).Select(m =>
            endpoint.Send(new CreateWidget(m.Widget, "duplicated"), c => c.MessageId = m.MessageId)));

        await host.Counters.WaitForReceived(OutboxTestHost.CreateWidgetQueue, Widgets * Copies);
        await host.Counters.WaitForReceived(OutboxTestHost.RecordingQueue, Widgets);
        await host.OutboxWritesDone();
        var ids = messages.ConvertAll(m => m.Widget);
        Assert.Equal(Widgets, await host.Query(db => db.Widgets.CountAsync(w => ids.Contains(w.Id) && w.Applied == 1)));
        Assert.Equal(ids.Order(), _recorder.Of<WidgetCreated>().Select(m => m.Id).Order());
        Assert.Equal(Widgets, await host.Query(db => db.Set<InboxState>().CountAsync()));
        Assert.Equal(0, host.Counters.ConsumeFaults);
    }

    [Fact]
    public async Task A_second_inbox_row_for_one_message_and_consumer_is_refused_by_the_unique_key_as_a_duplicate()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, PassesDrivenByTheSpec);
        var (messageId, consumerId) = (NewId.NextGuid(), NewId.NextGuid());
        await host.InScope(async (_, db) =>
        {
            db.Add(new InboxState { MessageId = messageId, ConsumerId = consumerId, Received = DateTime.UtcNow, ReceiveCount = 1 });
            await db.SaveChangesAsync();
        });

        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => host.InScope(async (_, db) =>
        {
            db.Add(new InboxState { MessageId = messageId, ConsumerId = consumerId, Received = DateTime.UtcNow, ReceiveCount = 1 });
            await db.SaveChangesAsync();
        }));

        Assert.True(StoreErrors.IsDuplicateKey(refused), refused.GetBaseException().Message);
        Assert.Equal(1, await host.Query(db => db.Set<InboxState>().CountAsync()));
    }

    [Fact]
    public async Task Outgoing_messages_of_a_consumer_that_died_after_its_commit_are_delivered_although_its_message_never_comes_back()
    {
        // Regression (orders stuck in Submitted): the commit holds the outgoing messages, then the processor stops short of
        // sending them and the incoming message is not redelivered (here: no redelivery; in production it expired).
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, PassesDrivenByTheSpec, CrashAfterCommitOf(nameof(CreateWidget)));
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{OutboxTestHost.CreateWidgetQueue}"));
        var widget = Guid.NewGuid();

        await endpoint.Send(new CreateWidget(widget, "stranded", Renames: 2));
        await host.Counters.WaitForReceived(OutboxTestHost.CreateWidgetQueue, 1);
        Assert.Equal(1, host.Counters.ConsumeFaults);
        Assert.Empty(_recorder.Of<WidgetCreated>());

        Assert.NotNull(await WaitForInboxDelivered(host));
        await _recorder.WaitFor<WidgetRenamed>(m => m.Count >= 2);
        Assert.Single(_recorder.Of<WidgetCreated>(), m => m.Id == widget);
        Assert.Equal([1, 2], _recorder.Of<WidgetRenamed>().Where(m => m.Id == widget).Select(m => m.Sequence));
        Assert.Equal(1, await host.Query(db => db.Widgets.Where(w => w.Id == widget).Select(w => w.Applied).SingleAsync()));
        Assert.Equal(0, await host.Query(db => db.Set<OutboxMessage>().CountAsync()));
    }

    [Fact]
    public async Task The_delivery_service_leaves_a_consumed_message_to_its_processor_while_the_lease_holds()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, o => o.DeliveryService = false);
        var lockId = NewId.NextGuid();
        await host.InScope(async (_, db) =>
        {
            db.Add(new InboxState
            {
                MessageId = NewId.NextGuid(),
                ConsumerId = NewId.NextGuid(),
                LockId = lockId,
                Received = DateTime.UtcNow,
                Consumed = DateTime.UtcNow,
                ReceiveCount = 1,
                LockedUntil = DateTime.UtcNow.AddMinutes(1)
            });
            await db.SaveChangesAsync();
        });
        var leases = host.Services.GetRequiredService<IOutboxLeaseStore>();

        var claimed = await host.Query(db => leases.ClaimLapsedInboxAsync(db, NewId.NextGuid(), 10, DateTime.UtcNow.AddMinutes(1), CancellationToken.None));

        Assert.Empty(claimed);
        Assert.Equal(lockId, await host.Query(db => db.Set<InboxState>().Select(i => i.LockId).SingleAsync()));
    }

    [Fact]
    public async Task Two_delivery_services_racing_for_a_lapsed_inbox_row_never_both_claim_it()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, PassesDrivenByTheSpec);
        await host.InScope(async (_, db) =>
        {
            db.Add(new InboxState
            {
                MessageId = NewId.NextGuid(),
                ConsumerId = NewId.NextGuid(),
                LockId = NewId.NextGuid(),
                Received = DateTime.UtcNow,
                Consumed = DateTime.UtcNow,
                ReceiveCount = 1,
                LockedUntil = DateTime.UtcNow.AddSeconds(-1)
            });
            await db.SaveChangesAsync();
        });
        var leases = host.Services.GetRequiredService<IOutboxLeaseStore>();

        // Every service is still inside its pass (its scope open) when the others claim: on PostgreSQL a claim lasts
        // as long as its transaction, and a pass that ended without finishing has handed its rows back.
        var services = Enumerable.Range(0, 4).Select(_ => host.Services.CreateAsyncScope()).ToList();
        try
        {
            // Bounded: a claim that waited for another's row lock would wait for ever here, the holders' scopes still open.
            var claims = await Task.WhenAll(services.Select(scope => leases.ClaimLapsedInboxAsync(
                scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>(), NewId.NextGuid(), 10, DateTime.UtcNow.AddMinutes(1), CancellationToken.None)))
                .WaitAsync(Poll.DefaultTimeout);

            Assert.Equal(1, claims.Sum(c => c.Count));
        }
        finally
        {
            foreach (var scope in services)
            {
                await scope.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_response_that_expired_while_its_processor_was_dead_is_dropped_instead_of_sent()
    {
        var dropped = new LogCapture(LogLevel.Warning, (message, _) => message.Contains("expired", StringComparison.Ordinal));
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, PassesDrivenByTheSpec, CrashAfterCommitOf(nameof(GetWidget)),
            services: s => s.AddSingleton<ILoggerProvider>(dropped));
        var widget = Guid.NewGuid();
        await host.AddWidget(widget, "asked about");

        // The requester gives up, and the request and its answer expire, long before anything finds the stranded answer.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var client = scope.ServiceProvider.GetRequiredService<IRequestClient<GetWidget>>();
            await Assert.ThrowsAnyAsync<RequestException>(() => client.GetResponse<WidgetInfo>(new GetWidget(widget), timeout: TimeSpan.FromSeconds(1)));
        }

        await host.Counters.WaitForReceived("get-widget", 1);

        var expires = await host.Query(db => db.Set<OutboxMessage>().Select(m => m.ExpirationTime).SingleAsync());
        Assert.NotNull(expires);
        if (expires > DateTime.UtcNow)
        {
            await Task.Delay(expires.Value - DateTime.UtcNow + TimeSpan.FromMilliseconds(10));
        }

        Assert.NotNull(await WaitForInboxDelivered(host));
        Assert.Equal(0, await host.Query(db => db.Set<OutboxMessage>().CountAsync()));
        Assert.Contains(dropped.Entries, e => e.Contains(nameof(WidgetInfo), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outgoing_messages_beyond_one_delivery_pass_arrive_once_each_and_in_order()
    {
        // Two per pass: the first pass takes the rows the commit just wrote, the later ones read the rest back.
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, o => o.MessageDeliveryLimit = 2);
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{OutboxTestHost.CreateWidgetQueue}"));
        var widget = Guid.NewGuid();

        await endpoint.Send(new CreateWidget(widget, "many", Renames: 5));
        await host.Counters.WaitForReceived(OutboxTestHost.CreateWidgetQueue, 1);
        await host.Counters.WaitForReceived(OutboxTestHost.RecordingQueue, 6);

        Assert.Single(_recorder.Of<WidgetCreated>(), m => m.Id == widget);
        Assert.Equal([1, 2, 3, 4, 5], _recorder.Of<WidgetRenamed>().Where(m => m.Id == widget).Select(m => m.Sequence));
        await host.OutboxWritesDone();
        Assert.Equal(0, await host.Query(db => db.Set<OutboxMessage>().CountAsync()));
        Assert.Equal(0, host.Counters.ConsumeFaults);
    }

    [Fact]
    public async Task A_consumer_that_responds_through_the_outbox_answers_the_requester()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder);
        var widget = Guid.NewGuid();
        await host.AddWidget(widget, "asked about");

        await using var scope = host.Services.CreateAsyncScope();
        var client = scope.ServiceProvider.GetRequiredService<IRequestClient<GetWidget>>();
        var response = await client.GetResponse<WidgetInfo>(new GetWidget(widget));

        Assert.True(response.Message.Found);
        Assert.Equal("asked about", response.Message.Name);

        // The answer went through the inbox/outbox: the request has a delivered inbox row and no message is left. The
        // response is on the broker before the inbox row's delivered mark is queued, so wait for the request's receive
        // to end, then for the mark to be written.
        await host.Counters.WaitForReceived("get-widget", 1);
        await host.OutboxWritesDone();
        var inbox = await host.Query(db => db.Set<InboxState>().AsNoTracking().SingleAsync());
        Assert.NotNull(inbox.Delivered);
        Assert.Equal(0, await host.Query(db => db.Set<OutboxMessage>().CountAsync()));
    }

    [Fact]
    public async Task With_endpoint_concurrency_above_one_every_message_commits_and_none_faults()
    {
        const int count = 200;
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, createWidgetConcurrency: 16, recordingConcurrency: 16);
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{OutboxTestHost.CreateWidgetQueue}"));

        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(ids.Select(id => endpoint.Send(new CreateWidget(id, "parallel"))));

        await host.Counters.WaitForReceived(OutboxTestHost.CreateWidgetQueue, count, TimeSpan.FromSeconds(60));
        await _recorder.WaitFor<WidgetCreated>(m => m.Count >= count, TimeSpan.FromSeconds(60));

        Assert.Equal(0, host.Counters.ConsumeFaults);
        await host.OutboxWritesDone();
        Assert.Equal(count, await host.Query(db => db.Widgets.CountAsync(w => w.Applied == 1)));
        Assert.Equal(count, await host.Query(db => db.Set<InboxState>().CountAsync(x => x.Delivered != null)));
        Assert.Equal(count, _recorder.Of<WidgetCreated>().Select(m => m.Id).Distinct().Count());
    }

    [Fact]
    public async Task Inbox_rows_older_than_the_duplicate_detection_window_are_deleted()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, _recorder, o => o.DuplicateDetectionWindow = TimeSpan.FromMinutes(5));
        await host.InScope(async (_, db) =>
        {
            db.Set<InboxState>().Add(new InboxState { MessageId = Guid.NewGuid(), ConsumerId = Guid.NewGuid(), Received = DateTime.UtcNow.AddHours(-1), Consumed = DateTime.UtcNow.AddHours(-1), Delivered = DateTime.UtcNow.AddHours(-1) });
            db.Set<InboxState>().Add(new InboxState { MessageId = Guid.NewGuid(), ConsumerId = Guid.NewGuid(), Received = DateTime.UtcNow, Consumed = DateTime.UtcNow, Delivered = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });

        var deleted = await host.Services.GetRequiredService<InboxCleanupService<OutboxTestDbContext>>().CleanupAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Equal(1, await host.Query(db => db.Set<InboxState>().CountAsync()));
    }

    /// <summary>
    /// Delivery passes only when the spec drives them: the delivery service does not run by itself, so its first pass
    /// cannot take what the spec set up before the spec looks.
    /// </summary>
    private static void PassesDrivenByTheSpec(MicroCommsOutboxOptions options) => options.DeliveryService = false;

    /// <summary>Settings that make the consumer of <paramref name="messageType"/> fail right after its commit, with no redelivery.</summary>
    private static Dictionary<string, string?> CrashAfterCommitOf(string messageType) => new()
    {
        ["MicroComms:CrashPoint:AfterCommitOf"] = messageType,
        ["MicroComms:CrashPoint:Mode"] = nameof(CrashMode.Throw),
        ["MicroComms:Retry:DelayedRedelivery"] = "false",
    };

    /// <summary>The inbox row's delivered time once the delivery service completed it (null if it never did within the bound).</summary>
    private static async Task<DateTime?> WaitForInboxDelivered(OutboxTestHost host)
    {
        var delivery = host.Services.GetRequiredService<OutboxDeliveryService<OutboxTestDbContext>>();
        for (var pass = 0; pass < 50; pass++)
        {
            var delivered = await host.Query(db => db.Set<InboxState>().AsNoTracking().Select(i => i.Delivered).SingleAsync());
            if (delivered is not null)
            {
                return delivered;
            }

            await delivery.DeliverLapsedInboxPassAsync(CancellationToken.None);
        }

        return null;
    }
}

public sealed class ConsumerOutbox_Specs_on_Sqlite() : ConsumerOutbox_Specs(TestStore.Sqlite);

[Trait("Needs", "Postgres")]
public sealed class ConsumerOutbox_Specs_on_Postgres(PostgresFixture postgres) : ConsumerOutbox_Specs(postgres.Store), IClassFixture<PostgresFixture>;
