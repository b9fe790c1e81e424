using System.Net;
using System.Net.Sockets;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Host;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace MicroComms.Tests.Telemetry;

/// <summary>
/// Nothing leaves the process unless <c>MicroComms:Telemetry:OtlpEndpoint</c> names where: a loopback listener stands in
/// for a collector, and a flush of the tracer provider is when an exporter would have called it.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OtlpExport_Specs : IDisposable
{
    private readonly TcpListener _collector = new(IPAddress.Loopback, 0);

    public OtlpExport_Specs() => _collector.Start();

    private Uri Collector => new($"http://127.0.0.1:{((IPEndPoint)_collector.LocalEndpoint).Port}");

    [Fact]
    public async Task With_an_OTLP_endpoint_configured_spans_are_posted_there()
    {
        await using var app = await StartAsync(new()
        {
            ["MicroComms:Telemetry:OtlpEndpoint"] = Collector.ToString(),
            ["MicroComms:Telemetry:OtlpProtocol"] = "HttpProtobuf",
        });
        await PublishAsync(app);

        var flushed = Task.Run(() => app.Services.GetRequiredService<TracerProvider>().ForceFlush(5000));
        using var call = await _collector.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
        using var reader = new StreamReader(call.GetStream());
        Assert.Equal("POST /v1/traces HTTP/1.1", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        call.Close();
        await flushed;
    }

    [Fact]
    public async Task Without_an_OTLP_endpoint_nothing_is_exported_even_where_the_standard_variable_names_one()
    {
        // The SDK reads OTEL_* settings from configuration: had an exporter been added, it would call the collector.
        await using var app = await StartAsync(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.ToString() });
        await PublishAsync(app);

        Assert.True(app.Services.GetRequiredService<TracerProvider>().ForceFlush(5000));
        Assert.False(_collector.Pending(), "Something called the stand-in collector.");
    }

    private static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings)
    {
        settings["MicroComms:Transport"] = "InMemory";
        settings["MicroComms:Host:Services"] = "notifications";
        settings["MicroComms:Host:DataDirectory"] = TestFiles.Path($"otlp-{Guid.NewGuid():N}");
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["Logging:LogLevel:Default"] = "Warning";
        var app = MicroCommsApp.Build(settings);
        await app.StartAsync();
        return app;
    }

    /// <summary>A consumed message: spans to export.</summary>
    private static async Task PublishAsync(WebApplication app)
    {
        var orderId = Guid.NewGuid();
        await app.Services.GetRequiredService<IBus>().Publish(new OrderCompleted(orderId, "alice", DateTimeOffset.UtcNow));
        await Poll.Until(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MicroComms.Notifications.NotificationsDbContext>();
            return db.Notifications.Any(n => n.OrderId == orderId);
        });
    }

    public void Dispose() => _collector.Dispose();
}
