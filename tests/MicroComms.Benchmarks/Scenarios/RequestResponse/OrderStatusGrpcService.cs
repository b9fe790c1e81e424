using System.Globalization;
using Grpc.Core;
using MicroComms.Benchmarks.Grpc;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>The gRPC responder (the bench's own proto until the Gateway's GetOrderStatus endpoint lands).</summary>
public sealed class OrderStatusGrpcService(OrderStatusStore store) : OrderStatusService.OrderStatusServiceBase
{
    public override Task<OrderStatusReply> GetOrderStatus(GetOrderStatusRequest request, ServerCallContext context)
    {
        var status = store.Find(Guid.Parse(request.OrderId))
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Order {request.OrderId} not found."));
        return Task.FromResult(new OrderStatusReply
        {
            OrderId = status.OrderId.ToString(),
            State = status.State,
            Reason = status.Reason ?? string.Empty,
            Total = status.Total.ToString(CultureInfo.InvariantCulture),
            SubmittedAt = status.SubmittedAt.ToString("O"),
            UpdatedAt = status.UpdatedAt?.ToString("O") ?? string.Empty,
        });
    }
}
