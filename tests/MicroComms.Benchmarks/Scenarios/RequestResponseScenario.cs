using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Benchmarks.Scenarios.RequestResponse;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// GetOrderStatus four ways, same responder work: MicroComms IRequestClient over RabbitMQ, HTTP/1.1 REST, gRPC h2c and
/// raw direct reply-to RPC; p50/p99 and req/s with 1 and 16 concurrent callers.
/// </summary>
public sealed class RequestResponseScenario : IScenario
{
    private static readonly int[] CallerCounts = [1, 16];

    private readonly OrderStatusStore _store = new();
    private readonly KestrelResponder _kestrel = new();
    private readonly List<IRequestVariant> _variants = [];
    private BenchContext _context = null!;

    public string Name => "request-response";

    public ScenarioFamily Family => ScenarioFamily.RequestResponse;

    public string Description => "GetOrderStatus: bus vs HTTP/1.1 vs gRPC vs raw direct reply-to";

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name);
        await _kestrel.StartAsync(_store, cancellationToken);
        _variants.AddRange([new BusRequestVariant(), new HttpRequestVariant(_kestrel), new GrpcRequestVariant(_kestrel), new RawRpcRequestVariant()]);
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

        await _kestrel.DisposeAsync();
    }
}
