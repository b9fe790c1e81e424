using MicroComms.Contracts;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// The Gateway's REST endpoint over HTTP/1.1 on loopback: GET /orders/{id}, JSON body (one pooled connection per
/// concurrent caller).
/// </summary>
public sealed class HttpRequestVariant(Uri gatewayHttp) : IRequestVariant
{
    private HttpClient? _http;

    public string Name => "Gateway HTTP/1.1 REST";

    public Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = gatewayHttp,
            DefaultRequestVersion = System.Net.HttpVersion.Version11,
        };
        return Task.CompletedTask;
    }

    public async Task CallAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var status = await _http!.GetFromJsonAsync<OrderStatus>($"orders/{orderId}", cancellationToken);
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
