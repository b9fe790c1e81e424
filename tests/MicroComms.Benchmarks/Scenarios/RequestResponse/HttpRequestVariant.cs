using MicroComms.Contracts;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// GET <paramref name="route"/>{id} over HTTP/1.1 on loopback with a JSON body back, on kept-alive pooled connections
/// (one per concurrent caller): the Gateway's <c>/orders/</c> (then the bus to Orders) or Orders' own
/// <c>/internal/orders/</c> (no bus).
/// </summary>
public sealed class HttpRequestVariant(string name, Uri baseAddress, string route) : IRequestVariant
{
    private HttpClient? _http;

    public string Name => name;

    public Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = System.Net.HttpVersion.Version11,
        };
        return Task.CompletedTask;
    }

    public async Task CallAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var status = await _http!.GetFromJsonAsync<OrderStatus>($"{route}{orderId}", cancellationToken);
        if (status?.OrderId != orderId)
        {
            throw new InvalidOperationException($"Asked for order {orderId}, got {status?.OrderId}.");
        }
    }

    public ValueTask DisposeAsync()
    {
        _http?.Dispose();
        return ValueTask.CompletedTask;
    }
}
