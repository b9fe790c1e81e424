using System.Diagnostics;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Benchmarks.Scenarios.Outbox;
using MicroComms.Benchmarks.Scenarios.PeerOutbox;
using Wolverine;
using Wolverine.EntityFrameworkCore;
using Wolverine.RabbitMQ;
using Wolverine.RabbitMQ.Internal;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// The anchor for the outbox rows that is not our own direct publish: Wolverine's durable outbox and inbox, through its
/// EF Core integration, on the same store and broker, doing the work of <see cref="OutboxScenario"/>'s two outbox
/// variants. The bus outbox: a DI scope adds an order row and publishes through IDbContextOutbox, which commits row and
/// envelope together and then sends. The consumer outbox: a handler behind the durable inbox adds the row and returns
/// the event; Wolverine's EF Core transactional middleware commits both, then sends. Same payload, window and
/// durability as every row (durable queues, persistent messages, publisher confirms); Wolverine's defaults otherwise.
/// </summary>
internal sealed class PeerOutboxScenario(PeerOutboxStore store) : IScenario
{
    /// <summary>Followed by the store: <c>peer-outbox-sqlite</c>, <c>peer-outbox-postgres</c>.</summary>
    public const string NamePrefix = "peer-outbox-";

    private const string BusQueue = "peer-bus-order-placed";
    private const string RelayQueue = "peer-relay-order";
    private const string RelayExchange = "peer-relay-order";
    private const string RelayedQueue = "peer-relayed-order-placed";

    private readonly LatencyProbes _probes = new();
    private readonly List<Route> _routes = [];
    private BenchContext _context = null!;
    private IHost? _host;

    public static string BusOutboxVariant => $"Wolverine {WolverineVersion.Text} bus outbox";

    public static string ConsumerOutboxVariant => $"Wolverine {WolverineVersion.Text} consumer outbox";

    public string Name => NamePrefix + store.Name;

    public ScenarioFamily Family => ScenarioFamily.Outbox;

    public string Description => $"Wolverine {WolverineVersion.Text} durable outbox and inbox (EF Core) on {store.Description}, bus and consumer shapes";

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name);
        var uri = context.AmqpUri(vhost);
        await store.PrepareAsync(context, Name, cancellationToken);
        _host = BenchHost.Build(new Dictionary<string, string?>(), (services, _) =>
        {
            services.AddSingleton(_probes);
            services.AddWolverine(opts =>
            {
                // One process: no leader election or agent assignment through the store (Wolverine's single-node mode).
                opts.Durability.Mode = DurabilityMode.Solo;
                opts.Discovery.DisableConventionalDiscovery().IncludeType(typeof(PeerRelayHandler)).IncludeType<PeerOrderCounter>();
                store.Configure(opts);
                opts.UseEntityFrameworkCoreTransactions();
                opts.Policies.AutoApplyTransactions();
                opts.UseRabbitMq(uri)
                    .AutoProvision()
                    .ConfigureChannelCreation(o =>
                    {
                        o.PublisherConfirmationsEnabled = true;
                        o.PublisherConfirmationTrackingEnabled = true;
                    });

                // Durable sending endpoints: the outbox, and delivery mode 2.
                opts.PublishMessage<PeerBusOrderPlaced>().ToRabbitQueue(BusQueue).UseDurableOutbox();
                opts.PublishMessage<PeerRelayedOrderPlaced>().ToRabbitQueue(RelayedQueue).UseDurableOutbox();

                // The driver's commands stand for another service's messages: sent inline, not through this outbox.
                // Through an exchange bound to the queue: one endpoint for both sides would take the listener's
                // durable mode, and the driver's sends would go through the outbox (Wolverine warns of it).
                opts.PublishMessage<PeerRelayOrder>().ToRabbitExchange(RelayExchange, e => e.BindQueue(RelayQueue)).SendInline()
                    .UseInterop((runtime, endpoint) => new PersistentRabbitMqMapper(new RabbitMqEnvelopeMapper(endpoint, runtime)));
                opts.ListenToRabbitQueue(RelayQueue).UseDurableInbox();
                opts.ListenToRabbitQueue(BusQueue);
                opts.ListenToRabbitQueue(RelayedQueue);
            });
        });
        await _host.StartAsync(cancellationToken);

        var services = _host.Services;
        var bus = services.GetRequiredService<IMessageBus>();
        _routes.AddRange(
        [
            new(BusOutboxVariant, _probes.Of<PeerBusOrderPlaced>(), (i, ct) => PublishThroughOutboxAsync(services, i, ct)),
            new(ConsumerOutboxVariant, _probes.Of<PeerRelayedOrderPlaced>(), async (i, _) => await bus.PublishAsync(new PeerRelayOrder(BenchMessage.Create(i)))),
        ]);

        foreach (var route in _routes)
        {
            await RunAsync(route, context.Settings.Warmup, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        var messages = _context.Settings.Messages;
        var results = new List<Measurement>();
        foreach (var route in _routes)
        {
            var elapsed = await RunAsync(route, messages, cancellationToken);
            results.Add(new(Name, route.Variant, "end to end", "msg/s", messages / elapsed.TotalSeconds, HigherIsBetter: true));
            var percentiles = route.Probe.Percentiles(0.50, 0.99);
            results.Add(new(Name, route.Variant, "commit to consume p50", "ms", percentiles[0], HigherIsBetter: false));
            results.Add(new(Name, route.Variant, "commit to consume p99", "ms", percentiles[1], HigherIsBetter: false));
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

        await store.DisposeAsync();
    }

    /// <summary>What an API call does, as in <see cref="OutboxScenario"/>: one scope, one order row, one publish, one commit of both.</summary>
    private static async Task PublishThroughOutboxAsync(IServiceProvider services, long sequence, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IDbContextOutbox<PeerOutboxDbContext>>();
        var order = BenchMessage.Create(sequence);
        outbox.DbContext.Orders.Add(BenchOrder.From(order));

        // Stamped just before the commit, so the latency includes the commit itself.
        await outbox.PublishAsync(new PeerBusOrderPlaced(order, Stopwatch.GetTimestamp()));
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
    }

    private Task<TimeSpan> RunAsync(Route route, int messages, CancellationToken cancellationToken)
    {
        route.Probe.Reset(messages);
        return ThroughputDriver.RunAsync(messages, _context.Settings.PublishWindow, route.Probe.Counter, route.Publish, _context.Settings.RoundTimeout, cancellationToken);
    }

    private sealed record Route(string Variant, LatencyProbe Probe, Func<long, CancellationToken, Task> Publish);
}
