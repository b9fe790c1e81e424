using MassTransit;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.IntegrationTests.Outbox;

/// <summary>Runs on a private node (not the shared broker), because it stops and restarts it; one node for the class.</summary>
[Trait("Needs", "Broker")]
public sealed class BrokerOutage_Specs(OutageNodeFixture fixture) : IClassFixture<OutageNodeFixture>, IDisposable
{
    private readonly string _database = OutboxTestHost.NewDatabasePath();
    private readonly Recorder _recorder = new();
    private RabbitMqNode Node => fixture.Node;

    [Fact]
    public async Task Changes_made_through_the_bus_outbox_while_the_broker_is_down_succeed_and_their_messages_arrive_once_after_it_returns()
    {
        const int commits = 10;
        var node = Node;
        var vhost = await node.CreateVirtualHostAsync("outbox-outage");
        try
        {
            await using var host = await OutboxTestHost.StartAsync(TestDatabase.SqliteFile(_database), _recorder, settings: node.Settings(vhost), recordingConcurrency: 4);
            var warmUp = Guid.NewGuid();
            await Commit(host, warmUp);
            await _recorder.WaitFor<WidgetCreated>(m => m.Any(x => x.Id == warmUp), TimeSpan.FromSeconds(60));

            await node.StopAsync();
            var ids = Enumerable.Range(0, commits).Select(_ => Guid.NewGuid()).ToList();
            foreach (var id in ids)
            {
                await Commit(host, id);
            }

            Assert.Equal(commits, await host.Query(db => db.Widgets.CountAsync(w => ids.Contains(w.Id))));
            Assert.Equal(commits, await host.PendingOutboxMessages());

            await node.StartAgainAsync();
            await _recorder.WaitFor<WidgetCreated>(m => ids.All(id => m.Any(x => x.Id == id)), TimeSpan.FromSeconds(120));
            await Poll.Until(async () => await host.PendingOutboxMessages() == 0
                && await node.MessageCountAsync(vhost, OutboxTestHost.RecordingQueue) == 0
                && host.Counters.Received(OutboxTestHost.RecordingQueue) >= _recorder.Of<WidgetCreated>().Count, TimeSpan.FromSeconds(60));

            var seen = _recorder.Of<WidgetCreated>();
            Assert.Equal(commits + 1, seen.Count);
            Assert.Equal(commits + 1, seen.Select(m => m.Id).Distinct().Count());
        }
        finally
        {
            await node.StartAgainAsync();
            await node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_consumer_caught_between_its_commit_and_the_delivery_by_an_outage_sends_once_after_the_broker_returns_and_is_not_applied_again()
    {
        var node = Node;
        var vhost = await node.CreateVirtualHostAsync("consumer-outage");
        var gate = new CommitGate();
        try
        {
            await using var host = await OutboxTestHost.StartAsync(
                TestDatabase.SqliteFile(_database),
                _recorder,
                settings: node.Settings(vhost),
                services: s => s.ConfigureDbContext<OutboxTestDbContext>(o => o.AddInterceptors(gate), ServiceLifetime.Singleton));
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{OutboxTestHost.CreateWidgetQueue}"));
            var warmUp = Guid.NewGuid();
            await endpoint.Send(new CreateWidget(warmUp, "warm-up"));
            await _recorder.WaitFor<WidgetCreated>(m => m.Any(x => x.Id == warmUp), TimeSpan.FromSeconds(60));

            var widget = Guid.NewGuid();
            gate.Arm(widget, node.StopAsync);
            await endpoint.Send(new CreateWidget(widget, "caught"));
            await gate.Passed.WaitAsync(TimeSpan.FromSeconds(60));

            // Committed, not delivered: the change, the consumed inbox row and the outgoing message are all in the database.
            Assert.Equal(1, await host.Query(db => db.Widgets.Where(w => w.Id == widget).Select(w => w.Applied).SingleAsync()));
            Assert.Equal(1, await host.Query(db => db.Set<OutboxMessage>().CountAsync(m => m.InboxMessageId != null)));
            Assert.DoesNotContain(_recorder.Of<WidgetCreated>(), m => m.Id == widget);

            await node.StartAgainAsync();
            await _recorder.WaitFor<WidgetCreated>(m => m.Any(x => x.Id == widget), TimeSpan.FromSeconds(120));
            await Poll.Until(async () => await host.Query(db => db.Set<InboxState>().CountAsync(x => x.Delivered == null)) == 0
                && await node.MessageCountAsync(vhost, OutboxTestHost.CreateWidgetQueue) == 0
                && await node.MessageCountAsync(vhost, OutboxTestHost.RecordingQueue) == 0
                && host.Counters.Received(OutboxTestHost.RecordingQueue) >= _recorder.Of<WidgetCreated>().Count, TimeSpan.FromSeconds(60));

            Assert.Equal(1, await host.Query(db => db.Widgets.Where(w => w.Id == widget).Select(w => w.Applied).SingleAsync()));
            Assert.Single(_recorder.Of<WidgetCreated>(), m => m.Id == widget);
            Assert.Equal(0, await host.Query(db => db.Set<OutboxMessage>().CountAsync()));
            Assert.True((await node.MessageCountAsync(vhost, OutboxTestHost.CreateWidgetQueue + "_error") ?? 0) == 0, "nothing may end in create-widget_error");
        }
        finally
        {
            await node.StartAgainAsync();
            await node.DeleteVirtualHostAsync(vhost);
        }
    }

    public void Dispose() => OutboxTestHost.DeleteDatabase(_database);

    private static Task Commit(OutboxTestHost host, Guid id) => host.InScope(async (sp, db) =>
    {
        db.Widgets.Add(new Widget { Id = id, Name = "restocked" });
        await sp.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(id, "restocked"));
        await db.SaveChangesAsync();
    });
}
