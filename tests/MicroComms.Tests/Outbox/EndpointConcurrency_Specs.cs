using System.Text.Json;
using MassTransit;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Outbox;

/// <summary>Endpoint concurrency on RabbitMQ, read from the bus's probe (the bus is built, never started: no broker needed).</summary>
public sealed class EndpointConcurrency_Specs : IDisposable
{
    private readonly string _database = OutboxTestHost.NewDatabasePath();

    [Fact]
    public void Endpoints_under_the_consumer_outbox_take_the_outbox_limit_and_the_others_MicroComms_default()
    {
        var limits = Limits(createWidgetConcurrency: null);

        Assert.Equal(128, limits["get-widget"]);
        Assert.Equal(128, limits[OutboxTestHost.CreateWidgetQueue]);
        Assert.Equal(32, limits[OutboxTestHost.RecordingQueue]);
    }

    [Fact]
    public void An_endpoint_keeps_a_limit_of_its_own_and_the_outbox_limit_comes_from_configuration()
    {
        var limits = Limits(createWidgetConcurrency: 3, outboxLimit: "64");

        Assert.Equal(3, limits[OutboxTestHost.CreateWidgetQueue]);
        Assert.Equal(64, limits["get-widget"]);
        Assert.Equal(32, limits[OutboxTestHost.RecordingQueue]);
    }

    private Dictionary<string, int?> Limits(int? createWidgetConcurrency, string? outboxLimit = null)
    {
        var settings = new Dictionary<string, string?> { ["MicroComms:Transport"] = "RabbitMq" };
        if (outboxLimit is not null)
        {
            settings["MicroComms:Outbox:ConcurrentMessageLimit"] = outboxLimit;
        }

        using var host = OutboxTestHost.Build(TestDatabase.SqliteFile(_database), new Recorder(), settings: settings,
            createWidgetConcurrency: createWidgetConcurrency, recordingConcurrency: null);
        var probe = JsonSerializer.SerializeToNode(host.Services.GetRequiredService<IBusControl>().GetProbeResult().Results)!;
        return probe["bus"]!["host"]!["receiveEndpoint"]!.AsArray().ToDictionary(
            e => (string)e!["name"]!,
            e => (int?)e!["receiveTransport"]!["concurrentMessageLimit"]);
    }

    public void Dispose() => OutboxTestHost.DeleteDatabase(_database);
}
