using Grpc.Net.Client;
using MicroComms.Orders.DirectCalls.Rpc;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// Orders' own OrderStatusQueries gRPC service over h2c on loopback, no bus (binary protobuf, the client generated from
/// Orders' order_status.proto): one HTTP/2 connection that every caller multiplexes on, as the Gateway row.
/// </summary>
public sealed class DirectGrpcRequestVariant(Uri ordersGrpc) : IRequestVariant
{
    public const string VariantName = "direct gRPC h2c to Orders";

    private GrpcChannel? _channel;
    private OrderStatusQueries.OrderStatusQueriesClient _client = null!;

    public string Name => VariantName;

    public Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        _channel = GrpcChannel.ForAddress(ordersGrpc);
        _client = new OrderStatusQueries.OrderStatusQueriesClient(_channel);
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
