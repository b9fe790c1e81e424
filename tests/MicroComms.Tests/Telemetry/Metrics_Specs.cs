using System.Net;
using System.Net.Http.Json;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Host;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Orders;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace MicroComms.Tests.Telemetry;

/// <summary>
/// The MicroComms meter of a whole process (all services, in-memory transport) read through OpenTelemetry's in-memory
/// exporter: each instrument moves when its cause happens.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class Metrics_Specs : IAsyncLifetime
{
    private readonly List<MetricSnapshot> _exported = [];
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _app = MicroCommsApp.Build(new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Host:Services"] = "all",
            ["MicroComms:Host:DataDirectory"] = TestFiles.Path($"metrics-{Guid.NewGuid():N}"),
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["MicroComms:Payments:TransientFailureRate"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        }, s => s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(_exported)));
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_set_aside_outbox_row_raises_the_set_aside_gauge_of_its_service()
    {
        Assert.Equal(0, Gauge("microcomms.outbox.set_aside", ("service", "Orders")));

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            db.Set<OutboxMessage>().Add(new OutboxMessage
            {
                MessageId = Guid.NewGuid(),
                OutboxId = Guid.NewGuid(),
                DestinationAddress = new Uri("queue:nowhere"),
                MessageType = "urn:message:MicroComms.Contracts:OrderSubmitted",
                ContentType = "application/vnd.masstransit+json",
                Body = "{}",
                SentTime = DateTime.UtcNow.AddMinutes(-3),
                DeliveryAttempts = 5,
                SetAside = DateTime.UtcNow.AddMinutes(-1),
                FailureReason = "ArgumentException: broken",
            });
            await db.SaveChangesAsync();
        }

        await Poll.Until(() => Gauge("microcomms.outbox.set_aside", ("service", "Orders")) == 1);
        Assert.Equal(0, Gauge("microcomms.outbox.set_aside", ("service", "Payments")));
        Assert.Equal(0, Gauge("microcomms.outbox.pending", ("service", "Orders")));
    }

    [Fact]
    public async Task A_duplicate_message_raises_the_inbox_duplicates_counter_of_the_consumer_that_dropped_it()
    {
        var bus = _app.Services.GetRequiredService<IBus>();
        var messageId = NewId.NextGuid();
        var completed = new OrderCompleted(Guid.NewGuid(), "alice", DateTimeOffset.UtcNow);

        await bus.Publish(completed, c => c.MessageId = messageId);
        await bus.Publish(completed, c => c.MessageId = messageId);

        await Poll.Until(() => Sum("microcomms.inbox.duplicates", ("service", "Notifications")) >= 1);
        Assert.Equal(1, Sum("microcomms.inbox.duplicates", ("service", "Notifications")));
        Assert.Contains(Points("microcomms.inbox.duplicates"), p => Tags(p).GetValueOrDefault("consumer")?.Contains("OrderCompletedConsumer", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_completed_order_shows_in_the_saga_state_gauge_and_in_the_group_commit_histogram()
    {
        Assert.Equal(0, Gauge("microcomms.saga.instances", ("saga", "OrderState"), ("state", "Completed")));

        using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(_app)[0] };
        var orderId = Guid.NewGuid();
        using var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(orderId, "alice", [new PlaceOrderLine("KB-101", 1, 20m)]));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await Poll.Until(() => Gauge("microcomms.saga.instances", ("saga", "OrderState"), ("state", "Completed")) == 1);
        Assert.True(Points("microcomms.sqlite.group_commit.saves").Sum(p => p.GetHistogramCount()) > 0, "No group commit recorded.");
    }

    [Fact]
    public async Task The_process_serves_MicroComms_and_MassTransit_instruments_for_Prometheus_at_metrics()
    {
        using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(_app)[0] };
        await _app.Services.GetRequiredService<IBus>().Publish(new OrderCompleted(Guid.NewGuid(), "alice", DateTimeOffset.UtcNow));

        string text = "";
        await Poll.Until(async () =>
        {
            text = await http.GetStringAsync("/metrics");
            return text.Contains("messaging_masstransit_consume", StringComparison.Ordinal);
        });

        Assert.Contains("microcomms_outbox_pending", text, StringComparison.Ordinal);
        Assert.Contains("microcomms_scheduler_due", text, StringComparison.Ordinal);
    }

    /// <summary>Collects now: every instrument's points as of this moment.</summary>
    private List<MetricPoint> Points(string name) => Collect(name).SelectMany(m => m.MetricPoints).ToList();

    private List<MetricSnapshot> Collect(string name)
    {
        lock (_exported)
        {
            _exported.Clear();
            _app.Services.GetRequiredService<MeterProvider>().ForceFlush();
            return _exported.Where(m => m.Name == name).ToList();
        }
    }

    private double Gauge(string name, params (string Key, string Value)[] tags) =>
        Collect(name).Sum(m => m.MetricPoints.Where(p => Matches(p, tags))
            .Sum(p => m.MetricType == MetricType.LongGauge ? p.GetGaugeLastValueLong() : p.GetGaugeLastValueDouble()));

    private long Sum(string name, params (string Key, string Value)[] tags) =>
        Points(name).Where(p => Matches(p, tags)).Sum(p => p.GetSumLong());

    private static bool Matches(MetricPoint point, (string Key, string Value)[] tags)
    {
        var actual = Tags(point);
        return tags.All(t => actual.GetValueOrDefault(t.Key) == t.Value);
    }

    private static Dictionary<string, string?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, string?>();
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value?.ToString();
        }

        return tags;
    }
}
