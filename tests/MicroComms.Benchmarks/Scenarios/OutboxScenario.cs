using System.Diagnostics;
using MassTransit;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Benchmarks.Scenarios.Outbox;
using MicroComms.Messaging;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Serialization;
using MicroComms.Messaging.Stores;
using Microsoft.Data.Sqlite;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// The outbox on <paramref name="store"/> end to end over RabbitMQ, each form beside its direct-publish baseline in the same host and round:
/// the bus outbox (a DI scope stores an order row and publishes; SaveChanges commits both; the delivery service sends)
/// against IBus.Publish, and the consumer outbox (a consumer stores the row and publishes; row, inbox row and event
/// commit together, then the event is sent) against a consumer that publishes directly. Every event is counted by a
/// downstream consumer, which also measures commit-to-consume latency. A steady-rate run then compares the latency of
/// the bus outbox and direct publish at a load both carry.
/// </summary>
public sealed class OutboxScenario(string name = "outbox", StoreKind store = StoreKind.Sqlite, SerializerKind serializer = SerializerKind.Json) : IScenario
{
    public const string DirectVariant = "direct publish";
    public const string BusOutboxVariant = "bus outbox";
    public const string RelayVariant = "consumer, direct publish";
    public const string ConsumerOutboxVariant = "consumer outbox";

    private readonly LatencyProbes _probes = new();
    private readonly List<Route> _routes = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "microcomms-bench-outbox-" + Guid.NewGuid().ToString("N")[..8]);
    private BenchContext _context = null!;
    private IHost? _host;

    public string Name => name;

    public ScenarioFamily Family => ScenarioFamily.Outbox;

    public string Description => $"{store} bus outbox and consumer outbox vs direct publish, end to end and at a steady rate"
        + (serializer == SerializerKind.Json ? "" : $", {serializer} envelope");

    /// <summary>The row label of a steady-rate run (the rate is in the report's settings line).</summary>
    public static string SteadyVariant(string variant) => $"{variant}, steady rate";

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name);
        Directory.CreateDirectory(_directory);
        var settings = context.Node.Settings(vhost);
        settings["ConnectionStrings:OutboxBench"] = $"Data Source={Path.Combine(_directory, "outbox-bench.db")}";
        settings["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(_directory, "scheduler.db")}";
        settings["MicroComms:Serializer"] = serializer.ToString();
        if (store == StoreKind.Postgres)
        {
            foreach (var (key, value) in await context.PostgresSettingsAsync(Name, ["OutboxBench", SchedulerOptions.ConnectionStringName], cancellationToken))
            {
                settings[key] = value;
            }
        }

        _host = BenchHost.Build(settings, (services, configuration) =>
        {
            services.AddSingleton(_probes);
            services.AddMicroCommsDbContext<OutboxBenchDbContext>(configuration, "OutboxBench");
            services.AddMicroComms(configuration, x =>
            {
                // MicroComms' outbox defaults, as a service registers them: nothing tuned for the benchmark.
                x.AddMicroCommsOutbox<OutboxBenchDbContext>(t => t == typeof(OutboxRelayConsumer), o => o.UseBusOutbox());
                x.AddConsumer<DirectRelayConsumer>().Endpoint(e => e.Name = "bench-relay-direct");
                x.AddConsumer<OutboxRelayConsumer>().Endpoint(e => e.Name = "bench-relay-outbox");
                x.AddConsumer<StampedOrderConsumer<DirectOrderPlaced>>().Endpoint(e => e.Name = "bench-direct-order-placed");
                x.AddConsumer<StampedOrderConsumer<BusOutboxOrderPlaced>>().Endpoint(e => e.Name = "bench-bus-outbox-order-placed");
                x.AddConsumer<StampedOrderConsumer<RelayedOrderPlaced>>().Endpoint(e => e.Name = "bench-relayed-order-placed");
                x.AddConsumer<StampedOrderConsumer<OutboxRelayedOrderPlaced>>().Endpoint(e => e.Name = "bench-outbox-relayed-order-placed");
            });
        });
        await _host.StartAsync(cancellationToken);

        var services = _host.Services;
        var bus = services.GetRequiredService<IBus>();
        _routes.AddRange(
        [
            new(DirectVariant, _probes.Of<DirectOrderPlaced>(),
                (i, ct) => bus.Publish(new DirectOrderPlaced(BenchMessage.Create(i), Stopwatch.GetTimestamp()), ct)),
            new(BusOutboxVariant, _probes.Of<BusOutboxOrderPlaced>(), (i, ct) => PublishThroughBusOutboxAsync(services, i, ct)),
            new(RelayVariant, _probes.Of<RelayedOrderPlaced>(), (i, ct) => bus.Publish(new RelayOrder(BenchMessage.Create(i)), ct)),
            new(ConsumerOutboxVariant, _probes.Of<OutboxRelayedOrderPlaced>(),
                (i, ct) => bus.Publish(new RelayOrderThroughOutbox(BenchMessage.Create(i)), ct)),
        ]);

        foreach (var route in _routes)
        {
            await RunAsync(route, context.Settings.Warmup, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        var settings = _context.Settings;
        var results = new List<Measurement>();
        foreach (var route in _routes)
        {
            var elapsed = await RunAsync(route, settings.Messages, cancellationToken);
            results.Add(new(Name, route.Variant, "end to end", "msg/s", settings.Messages / elapsed.TotalSeconds, HigherIsBetter: true));
            results.AddRange(Latencies(route.Variant, route.Probe));
        }

        // The latency goal compares the two at a load both carry, so it shows the outbox's own delay, not a queue.
        foreach (var route in _routes.Where(r => r.Variant is DirectVariant or BusOutboxVariant))
        {
            var messages = SteadyRateDriver.Messages(settings.SteadyRate, settings.SteadyDuration);
            route.Probe.Reset(messages);
            var elapsed = await SteadyRateDriver.RunAsync(
                settings.SteadyRate, settings.SteadyDuration, settings.PublishWindow, route.Probe.Counter, route.Publish, settings.RoundTimeout, cancellationToken);
            var variant = SteadyVariant(route.Variant);
            results.Add(new(Name, variant, "held rate", "msg/s", messages / elapsed.TotalSeconds, HigherIsBetter: true));
            results.AddRange(Latencies(variant, route.Probe));
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        // Pooled connections keep the database files open; release them so the folder can go.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>What an API call does: one scope, one order row, one publish, one SaveChanges that commits both.</summary>
    private static async Task PublishThroughBusOutboxAsync(IServiceProvider services, long sequence, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBenchDbContext>();
        var order = BenchMessage.Create(sequence);
        db.Orders.Add(BenchOrder.From(order));

        // Stamped just before the commit (the row is serialized here), so the latency includes the commit itself.
        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>()
            .Publish(new BusOutboxOrderPlaced(order, Stopwatch.GetTimestamp()), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    private Task<TimeSpan> RunAsync(Route route, int messages, CancellationToken cancellationToken)
    {
        route.Probe.Reset(messages);
        return ThroughputDriver.RunAsync(messages, _context.Settings.PublishWindow, route.Probe.Counter, route.Publish, _context.Settings.RoundTimeout, cancellationToken);
    }

    private IEnumerable<Measurement> Latencies(string variant, LatencyProbe probe)
    {
        var percentiles = probe.Percentiles(0.50, 0.99);
        yield return new(Name, variant, "commit to consume p50", "ms", percentiles[0], HigherIsBetter: false);
        yield return new(Name, variant, "commit to consume p99", "ms", percentiles[1], HigherIsBetter: false);
    }

    private sealed record Route(string Variant, LatencyProbe Probe, Func<long, CancellationToken, Task> Publish);
}
