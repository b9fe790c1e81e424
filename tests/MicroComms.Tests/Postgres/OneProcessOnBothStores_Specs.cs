using MassTransit;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Postgres;

/// <summary>One process that runs the same service context on SQLite and then on PostgreSQL (as this test run does).</summary>
[Trait("Needs", "Postgres")]
public sealed class OneProcessOnBothStores_Specs(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_inbox_lookup_compiled_for_one_stores_model_is_not_used_with_the_other()
    {
        // Regression: the inbox lookup was compiled once per context type, against the first store's model; every
        // message consumed on the other store then faulted ("executed with a different model than it was compiled against").
        await ConsumeOneMessageOn(TestStore.Sqlite);
        await ConsumeOneMessageOn(postgres.Store);
    }

    /// <summary>A method of its own per host: MassTransit keeps its log context in an async-local, which must not reach the next host.</summary>
    private static async Task ConsumeOneMessageOn(TestStore store)
    {
        var database = await store.NewDatabaseAsync();
        var recorder = new Recorder();
        await using (var host = await OutboxTestHost.StartAsync(database, recorder))
        {
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{OutboxTestHost.CreateWidgetQueue}"));
            var widget = Guid.NewGuid();

            await endpoint.Send(new CreateWidget(widget, store.ToString()));

            await host.Counters.WaitForReceived(OutboxTestHost.CreateWidgetQueue, 1);
            Assert.Equal(0, host.Counters.ConsumeFaults);
            Assert.Equal(widget, Assert.Single(await recorder.WaitFor<WidgetCreated>(m => m.Count > 0)).Id);
        }

        await store.DeleteAsync(database);
    }
}
