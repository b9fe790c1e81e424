using Grpc.Net.Client;
using MicroComms.Benchmarks.Grpc;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>gRPC over h2c on loopback: one HTTP/2 connection that every caller multiplexes on.</summary>
public sealed class GrpcRequestVariant(KestrelResponder responder) : IRequestVariant
{
    private GrpcChannel? _channel;
    private OrderStatusService.OrderStatusServiceClient _client = null!;

    public string Name => "gRPC h2c";

    public Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{responder.GrpcPort}");
        _client = new OrderStatusService.OrderStatusServiceClient(_channel);
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
