using Grpc.Net.Client;
using MicroComms.Gateway.Rpc;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// The Gateway's GetOrderStatus gRPC endpoint over h2c on loopback, with the client generated from the Gateway's own
/// orders.proto: one HTTP/2 connection that every caller multiplexes on.
/// </summary>
public sealed class GrpcRequestVariant(Uri gatewayGrpc) : IRequestVariant
{
    private GrpcChannel? _channel;
    private OrderQueries.OrderQueriesClient _client = null!;

    public string Name => "Gateway gRPC h2c";

    public Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        _channel = GrpcChannel.ForAddress(gatewayGrpc);
        _client = new OrderQueries.OrderQueriesClient(_channel);
        return Task.CompletedTask;
    }

    public async Task CallAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var id = orderId.ToString();
        var reply = await _client.GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = id }, cancellationToken: cancellationToken);
        if (reply.OrderId != id)
        {
            throw new InvalidOperationException($"Asked for order {id}, got {reply.OrderId}.");
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        return ValueTask.CompletedTask;
    }
}
