using MicroComms.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MicroComms.Orders.DirectCalls;

/// <summary>
/// Orders answering GetOrderStatus directly, for a caller inside the same trust boundary that wants the answer now and
/// can live with Orders having to be up: <c>GET /internal/orders/{id}</c> (JSON, the <see cref="OrderStatus"/> record)
/// and the gRPC service <c>microcomms.orders.internal.v1.OrderStatusQueries</c> (h2c, on the process's gRPC port). Both
/// ask <see cref="IOrderStatusQuery"/>, as the bus consumer does. Under <c>/internal</c> because the Gateway owns
/// <c>/orders</c> in the all-in-one process; neither is part of the Gateway's front door or its OpenAPI document.
/// </summary>
public static class OrdersDirectCalls
{
    public const string StatusRoute = "/internal/orders/{id}";

    public static IEndpointRouteBuilder MapOrdersDirectCalls(this IEndpointRouteBuilder app)
    {
        // The id is taken as text so that a malformed one is a 400 naming it, not an unmatched route's 404.
        app.MapGet(StatusRoute, GetStatusAsync)
            .WithName("GetOrderStatusDirect")
            .ExcludeFromDescription();
        app.MapGrpcService<OrderStatusGrpcService>();
        return app;
    }

    private static async Task<IResult> GetStatusAsync(string id, IOrderStatusQuery query, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var orderId))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["Must be a GUID."] });
        }

        return await query.FindAsync(orderId, ct) is { } status
            ? Results.Ok(status)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Order {orderId} was not found.");
    }
}
