using System.Text.Json;
using MassTransit;
using MicroComms.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Gateway;

/// <summary>
/// <c>POST /orders</c>, <c>GET /orders/{id}</c> and <c>POST /orders/{id}/cancel</c>: REST outside, request-response
/// to Orders inside.
/// </summary>
public static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/orders").WithTags("Orders");
        orders.MapPost("/", PlaceOrderAsync)
            .WithName("PlaceOrder")
            .Accepts<PlaceOrderRequest>("application/json")
            .Produces<OrderPlaced>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        orders.MapGet("/{id:guid}", GetOrderAsync)
            .WithName("GetOrder")
            .Produces<OrderStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        orders.MapPost("/{id:guid}/cancel", CancelOrderAsync)
            .WithName("CancelOrder")
            .Produces<OrderCancellationAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return app;
    }

    private static async Task<IResult> PlaceOrderAsync(
        HttpRequest http,
        IRequestClient<SubmitOrder> client,
        IOptions<GatewayOptions> options,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        PlaceOrderRequest? request;
        try
        {
            request = await http.ReadFromJsonAsync<PlaceOrderRequest>(ct);
        }
        catch (JsonException ex)
        {
            // The path names the field that did not parse ("$.lines[0].quantity"), so report it like any bad field.
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = ["Not valid JSON for this field."] });
        }
        catch (InvalidOperationException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send the order as application/json."] });
        }

        var errors = PlaceOrderValidator.Validate(request);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var command = PlaceOrderValidator.ToCommand(request!, request!.OrderId ?? NewId.NextGuid());
        try
        {
            var response = await client.GetResponse<OrderAccepted, OrderRejected>(command, ct, options.Value.RequestTimeout);
            if (response.Is(out Response<OrderAccepted>? accepted))
            {
                return Results.Accepted($"/orders/{command.OrderId}", new OrderPlaced(command.OrderId, accepted.Message.AcceptedAt));
            }

            response.Is(out Response<OrderRejected>? rejected);
            return Results.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "The order was rejected.",
                detail: rejected!.Message.Reason,
                extensions: new Dictionary<string, object?> { ["orderId"] = command.OrderId });
        }
        catch (RequestTimeoutException)
        {
            loggers.CreateLogger(typeof(OrderEndpoints)).LogWarning("SubmitOrder {OrderId} timed out", command.OrderId);
            return TimedOut("Orders");
        }
    }

    private static async Task<IResult> GetOrderAsync(
        Guid id,
        IRequestClient<GetOrderStatus> client,
        IOptions<GatewayOptions> options,
        CancellationToken ct)
    {
        try
        {
            var response = await client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(id), ct, options.Value.RequestTimeout);
            return response.Is(out Response<OrderStatus>? status)
                ? Results.Ok(status.Message)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Order {id} was not found.");
        }
        catch (RequestTimeoutException)
        {
            return TimedOut("Orders");
        }
    }

    /// <summary>
    /// 202 once the order is cancelled (giving its stock back continues in the background), 404 for an unknown
    /// order, 409 when it is already paid or finished. <c>?reason=</c> is recorded with the cancellation.
    /// </summary>
    private static async Task<IResult> CancelOrderAsync(
        Guid id,
        string? reason,
        IRequestClient<CancelOrder> client,
        IOptions<GatewayOptions> options,
        CancellationToken ct)
    {
        try
        {
            var response = await client.GetResponse<OrderCancellationAccepted, OrderCancellationRejected, OrderNotFound>(
                new CancelOrder(id, reason ?? "Cancelled by the customer."), ct, options.Value.RequestTimeout);
            if (response.Is(out Response<OrderCancellationAccepted>? accepted))
            {
                return Results.Accepted($"/orders/{id}", accepted.Message);
            }

            if (response.Is(out Response<OrderCancellationRejected>? rejected))
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: $"Order {id} can no longer be cancelled.",
                    detail: rejected.Message.Reason,
                    extensions: new Dictionary<string, object?> { ["state"] = rejected.Message.State });
            }

            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Order {id} was not found.");
        }
        catch (RequestTimeoutException)
        {
            return TimedOut("Orders");
        }
    }

    internal static IResult TimedOut(string service) =>
        Results.Problem(
            statusCode: StatusCodes.Status504GatewayTimeout,
            title: $"{service} did not answer in time.",
            detail: "The request may still be processed; ask again later.");
}
