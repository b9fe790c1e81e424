using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Benchmarks.Scenarios.RequestResponse;
using MicroComms.Host;
using MicroComms.Messaging.Serialization;
using MicroComms.Orders;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// GetOrderStatus answered by Orders (the real service, its query answering from an in-memory store so that every row
/// does the same one dictionary lookup and the rows compare transports): MicroComms IRequestClient over RabbitMQ (one
/// row per envelope serializer in <see cref="BusSerializers"/>), Orders asked directly over HTTP/1.1 JSON and over
/// gRPC h2c (no bus), raw direct reply-to RPC, and the Gateway's GET /orders/{id} (HTTP/1.1) and its GetOrderStatus
/// gRPC endpoint (h2c), which both ask Orders over the bus; p50/p99 and req/s with 1 and 16 concurrent callers. With
/// <paramref name="cluster"/>, the bus rows on the run's 3-node cluster with quorum queues (QueueType=Quorum, a quorum
/// virtual host; the replies' queues stay classic and temporary, as MassTransit and direct reply-to need them), without
/// the direct rows (they do not touch the broker).
/// </summary>
public sealed class RequestResponseScenario(string name = "request-response", bool cluster = false) : IScenario
{
    private static readonly int[] CallerCounts = [1, 16];

    /// <summary>
    /// The envelope serializer of each bus row, at both ends (a response is written in the responder's format, so each
    /// serializer gets an Orders of its own, in a virtual host of its own); the JSON envelope's Orders is the one the
    /// Gateway rows and the direct calls ask too.
    /// </summary>
    private static readonly SerializerKind[] BusSerializers = [SerializerKind.Json, SerializerKind.MessagePack];

    private readonly OrderStatusStore _store = new();
    private readonly List<IRequestVariant> _variants = [];
    private readonly List<ServiceHosts> _hosts = [];
    private BenchContext _context = null!;

    public string Name => name;

    public ScenarioFamily Family => ScenarioFamily.RequestResponse;

    public string Description => cluster
        ? "GetOrderStatus: bus vs Gateway HTTP/1.1 vs Gateway gRPC vs raw direct reply-to, 3-node cluster, quorum queues"
        : "GetOrderStatus: bus vs direct HTTP/1.1 and gRPC to Orders vs raw direct reply-to vs Gateway HTTP/1.1 and gRPC";

    /// <summary>The name of the direct HTTP row (the report compares it with the bus row).</summary>
    public const string DirectHttpVariant = "direct HTTP/1.1 JSON to Orders";

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        if (cluster)
        {
            context = await context.OnClusterAsync();
        }

        _context = context;
        var json = await StartOrdersAsync(context, SerializerKind.Json, cancellationToken);
        foreach (var serializer in BusSerializers)
        {
            var orders = serializer == SerializerKind.Json ? json : await StartOrdersAsync(context, serializer, cancellationToken);
            _variants.Add(new BusRequestVariant(orders.Hosts, serializer));
        }

        if (!cluster)
        {
            _variants.AddRange([
                new HttpRequestVariant(DirectHttpVariant, MicroCommsApp.HttpAddresses(json.App)[0], "internal/orders/"),
                new DirectGrpcRequestVariant(json.Grpc),
            ]);
        }

        // The Gateway as the microcomms executable runs it: REST on HTTP/1.1, gRPC on its own h2c port.
        var gatewayGrpc = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var gateway = await json.Hosts.StartServiceAsync(
            ServiceNames.Gateway,
            new Dictionary<string, string?> { ["MicroComms:Host:GrpcUrl"] = gatewayGrpc.ToString(), ["MicroComms:Telemetry:Enabled"] = "false" },
            cancellationToken);
        _variants.AddRange([
            new RawRpcRequestVariant(),
            new HttpRequestVariant("Gateway HTTP/1.1 REST", MicroCommsApp.HttpAddresses(gateway)[0], "orders/"),
            new GrpcRequestVariant(gatewayGrpc),
        ]);
        foreach (var variant in _variants)
        {
            await variant.StartAsync(context, json.VirtualHost, _store, cancellationToken);
            foreach (var callers in CallerCounts)
            {
                await LatencyDriver.WarmUpAsync(context.Settings.Warmup, callers, ct => variant.CallAsync(_store.PickId(), ct), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Orders as the microcomms executable runs it (its consumer on get-order-status, the queue the Gateway asks, and its
    /// direct calls on HTTP/1.1 and h2c) in a fresh virtual host, its status query answering from the store; every host
    /// started on the returned hosts writes with <paramref name="serializer"/>. Telemetry off, as in the rows measured
    /// before it existed: its cost has rows of its own (microcomms-telemetry, saga-telemetry).
    /// </summary>
    private async Task<OrdersHost> StartOrdersAsync(BenchContext context, SerializerKind serializer, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?> { [BusRequestVariant.SerializerKey] = serializer.ToString() };
        if (cluster)
        {
            settings["MicroComms:RabbitMq:QueueType"] = "Quorum";
        }

        var vhost = await context.CreateVirtualHostAsync(
            serializer == SerializerKind.Json ? Name : $"{Name}-{serializer.ToString().ToLowerInvariant()}", cluster ? "quorum" : null);
        var hosts = new ServiceHosts(context.Node, vhost, settings);
        _hosts.Add(hosts);
        var grpc = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var app = await hosts.StartServiceAsync(
            ServiceNames.Orders,
            new Dictionary<string, string?> { ["MicroComms:Host:GrpcUrl"] = grpc.ToString(), ["MicroComms:Telemetry:Enabled"] = "false" },
            cancellationToken,
            services => services.AddSingleton<IOrderStatusQuery>(new StoreOrderStatusQuery(_store)));
        return new OrdersHost(hosts, vhost, app, grpc);
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

        foreach (var hosts in _hosts)
        {
            await hosts.DisposeAsync();
        }
    }
}
