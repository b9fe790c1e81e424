using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Benchmarks.Scenarios.RequestResponse;
using MicroComms.Contracts;
using MicroComms.Host;
using MicroComms.Messaging;
using MicroComms.Messaging.Serialization;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// GetOrderStatus four ways, same responder work (one dictionary lookup): MicroComms IRequestClient over RabbitMQ,
/// the Gateway's GET /orders/{id} (HTTP/1.1) and its GetOrderStatus gRPC endpoint (h2c), which both ask the same
/// responder over the bus, and raw direct reply-to RPC; p50/p99 and req/s with 1 and 16 concurrent callers. With
/// <paramref name="cluster"/>, the same on the run's 3-node cluster with quorum queues (QueueType=Quorum, a quorum virtual
/// host; the replies' queues stay classic and temporary, as MassTransit and direct reply-to need them).
/// </summary>
public sealed class RequestResponseScenario(string name = "request-response", bool cluster = false) : IScenario
{
    private static readonly int[] CallerCounts = [1, 16];

    private readonly OrderStatusStore _store = new();
    private readonly List<IRequestVariant> _variants = [];
    private BenchContext _context = null!;
    private ServiceHosts? _hosts;

    public string Name => name;

    public ScenarioFamily Family => ScenarioFamily.RequestResponse;

    public string Description => "GetOrderStatus: bus vs Gateway HTTP/1.1 vs Gateway gRPC vs raw direct reply-to" + (cluster ? ", 3-node cluster, quorum queues" : "");

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        if (cluster)
        {
            context = await context.OnClusterAsync();
        }

        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name, cluster ? "quorum" : null);
        _hosts = new ServiceHosts(context.Node, vhost, cluster ? new Dictionary<string, string?> { ["MicroComms:RabbitMq:QueueType"] = "Quorum" } : null);

        // The responder stands in for Orders on Orders' queue, the one the Gateway asks; it answers from the store.
        await _hosts.StartHostAsync((services, configuration) =>
        {
            services.AddSingleton(_store);
            services.AddMicroComms(configuration, x =>
                x.AddConsumer<GetOrderStatusConsumer>().Endpoint(e => e.Name = QueueNames.GetOrderStatus));
        }, cancellationToken);

        // The Gateway as the microcomms executable runs it: REST on HTTP/1.1, gRPC on its own h2c port.
        var grpc = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var gateway = await _hosts.StartServiceAsync(
            ServiceNames.Gateway,
            // Telemetry off, as in the rows measured before it existed: its cost has rows of its own (microcomms-telemetry, saga-telemetry).
            new Dictionary<string, string?> { ["MicroComms:Host:GrpcUrl"] = grpc.ToString(), ["MicroComms:Telemetry:Enabled"] = "false" },
            cancellationToken);

        _variants.AddRange([new BusRequestVariant(_hosts), new BusRequestVariant(_hosts, SerializerKind.MessagePack), new HttpRequestVariant(MicroCommsApp.HttpAddresses(gateway)[0]), new GrpcRequestVariant(grpc), new RawRpcRequestVariant()]);
        foreach (var variant in _variants)
        {
            await variant.StartAsync(context, vhost, _store, cancellationToken);
            foreach (var callers in CallerCounts)
            {
                await LatencyDriver.WarmUpAsync(context.Settings.Warmup, callers, ct => variant.CallAsync(_store.PickId(), ct), cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        var results = new List<Measurement>();
        foreach (var callers in CallerCounts)
        {
            foreach (var variant in _variants)
            {
                results.AddRange(await LatencyDriver.MeasureAsync(
                    Name, variant.Name, callers, _context.Settings.Duration, ct => variant.CallAsync(_store.PickId(), ct), cancellationToken));
            }
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var variant in _variants)
        {
            await variant.DisposeAsync();
        }

        if (_hosts is not null)
        {
            await _hosts.DisposeAsync();
        }
    }
}
