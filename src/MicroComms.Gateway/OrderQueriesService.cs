using System.Globalization;
using Grpc.Core;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Gateway;

/// <summary>The gRPC front door's order-status query, answered by the same request to Orders as the REST one.</summary>
public sealed class OrderQueriesService(IRequestClient<GetOrderStatus> client, IOptions<GatewayOptions> options, ILogger<OrderQueriesService> logger)
    : OrderQueries.OrderQueriesBase
{
    public override async Task<OrderStatusReply> GetOrderStatus(GetOrderStatusRequest request, ServerCallContext context)
    {
        if (!Guid.TryParse(request.OrderId, out var orderId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "order_id must be a GUID."));
        }

        var (answered, response) = await BoundedRequest.SendAsync(
            bound => client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(orderId), bound, options.Value.RequestTimeout),
            options.Value, logger, nameof(Contracts.GetOrderStatus), orderId, context.CancellationToken);
        if (!answered)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "Orders did not answer in time; asking again is safe."));
        }

        if (!response.Is(out Response<OrderStatus>? found))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Order {orderId} was not found."));
        }

        var status = found.Message;
        return new OrderStatusReply
        {
            OrderId = status.OrderId.ToString(),
            State = status.State,
            Reason = status.Reason ?? "",
            Total = status.Total.ToString(CultureInfo.InvariantCulture),
            SubmittedAt = status.SubmittedAt.ToString("O", CultureInfo.InvariantCulture),
            UpdatedAt = status.UpdatedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "",
            FinishedAt = status.FinishedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "",
        };
    }
}
