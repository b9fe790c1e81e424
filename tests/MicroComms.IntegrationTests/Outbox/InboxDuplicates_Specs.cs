using MassTransit;
using MicroComms.Messaging.Inbox;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.IntegrationTests.Outbox;

[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class InboxDuplicates_Specs(BrokerFixture broker) : IDisposable
{
    private const int Widgets = 5;
    private const int Copies = 10;
    private readonly string _database = OutboxTestHost.NewDatabasePath();
    private readonly Recorder _recorder = new();

    [Fact]
    public async Task Copies_of_one_message_id_delivered_concurrently_have_one_effect_and_the_rest_are_acknowledged()
    {
        var node = broker.Node;
        var vhost = await node.CreateVirtualHostAsync("inbox-duplicates");
        try
        {
            await using var host = await OutboxTestHost.StartAsync(
                TestDatabase.SqliteFile(_database), _recorder, settings: node.Settings(vhost), createWidgetConcurrency: 8, recordingConcurrency: 4);
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{OutboxTestHost.CreateWidgetQueue}"));
            var messages = Enumerable.Range(0, Widgets).Select(_ => (MessageId: Guid.NewGuid(), Widget: Guid.NewGuid())).ToList();

            // Interleaved, so copies of one id reach the endpoint's concurrent consumers at the same time.
            await Task.WhenAll(Enumerable.Range(0, Copies).SelectMany(_ => messages).Select(m =>
                endpoint.Send(new CreateWidget(m.Widget, "duplicated"), c => c.MessageId = m.MessageId)));

            await host.Counters.WaitForReceived(OutboxTestHost.CreateWidgetQueue, Widgets * Copies, TimeSpan.FromSeconds(60));
            await Poll.Until(async () => await node.MessageCountAsync(vhost, OutboxTestHost.CreateWidgetQueue) == 0
                && await node.MessageCountAsync(vhost, OutboxTestHost.RecordingQueue) == 0
                && await host.Query(db => db.Set<InboxState>().CountAsync(x => x.Delivered == null)) == 0
                && host.Counters.Received(OutboxTestHost.RecordingQueue) >= _recorder.Of<WidgetCreated>().Count, TimeSpan.FromSeconds(60));

            var ids = messages.Select(m => m.Widget).ToList();
            Assert.Equal(Widgets, await host.Query(db => db.Widgets.CountAsync(w => ids.Contains(w.Id) && w.Applied == 1)));
            Assert.Equal(ids.Order(), _recorder.Of<WidgetCreated>().Select(m => m.Id).Order());
            Assert.Equal(Widgets, await host.Query(db => db.Set<InboxState>().CountAsync()));
            Assert.Equal(0, host.Counters.ConsumeFaults);
            Assert.True((await node.MessageCountAsync(vhost, OutboxTestHost.CreateWidgetQueue + "_error") ?? 0) == 0, "nothing may end in create-widget_error");
        }
        finally
        {
            await node.DeleteVirtualHostAsync(vhost);
        }
    }

    public void Dispose() => OutboxTestHost.DeleteDatabase(_database);
}
