using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MicroComms.Orders.DirectCalls.Rpc;

namespace MicroComms.Orders.DirectCalls;

/// <summary>GetOrderStatus over gRPC (binary protobuf), answered by <see cref="IOrderStatusQuery"/> like the bus consumer.</summary>
internal sealed class OrderStatusGrpcService(IOrderStatusQuery query) : OrderStatusQueries.OrderStatusQueriesBase
{
    public override async Task<OrderStatusReply> GetOrderStatus(GetOrderStatusRequest request, ServerCallContext context)
    {
        if (!Guid.TryParse(request.OrderId, out var orderId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "order_id must be a GUID."));
        }

        var status = await query.FindAsync(orderId, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Order {orderId} was not found."));
        var reply = new OrderStatusReply
        {
            OrderId = status.OrderId.ToString(),
            State = status.State,
            Total = status.Total.ToString(CultureInfo.InvariantCulture),
            SubmittedAt = Timestamp.FromDateTimeOffset(status.SubmittedAt),
            UpdatedAt = status.UpdatedAt is { } updated ? Timestamp.FromDateTimeOffset(updated) : null,
            FinishedAt = status.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
        };
        if (status.Reason is { } reason)
        {
            reply.Reason = reason;
        }

        return reply;
    }
}
