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
            .WithSummary("Place an order")
            .WithDescription("Orders checks the order and starts its workflow (stock, payment, notification). The same order id with "
                + "the same body is accepted again (202) and placed once; with a different body it is a 409. A 504 is always safe "
                + "to retry with the same order id.")
            .Accepts<PlaceOrderRequest>("application/json")
            .Produces<OrderPlaced>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        orders.MapGet("/{id:guid}", GetOrderAsync)
            .WithName("GetOrder")
            .WithSummary("Get an order's state")
            .WithDescription("Where the order's workflow stands, as Orders' saga records it.")
            .Produces<OrderStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        orders.MapPost("/{id:guid}/cancel", CancelOrderAsync)
            .WithName("CancelOrder")
            .WithSummary("Cancel an order")
            .WithDescription("Cancels an order that is not yet paid; its reserved stock is given back in the background. "
                + "`?reason=` is recorded with the cancellation. Cancelling twice cancels once.")
            .Produces<OrderCancellationAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return app;
    }

    /// <summary>
    /// The body is bound by the framework: a wrong content type (415) or JSON that does not read as an order (400 naming
    /// the field) is refused by the Host's HTTP conventions before this runs; an empty body arrives as null.
    /// </summary>
    private static async Task<IResult> PlaceOrderAsync(
        PlaceOrderRequest? request,
        IRequestClient<SubmitOrder> client,
        IOptions<GatewayOptions> options,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var errors = PlaceOrderValidator.Validate(request);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var amountErrors = PlaceOrderValidator.ValidateAmounts(request!);
        if (amountErrors.Count > 0)
        {
            return Results.ValidationProblem(amountErrors, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The order's amounts are too large.");
        }

        var command = PlaceOrderValidator.ToCommand(request!, request!.OrderId ?? NewId.NextGuid());
        var (answered, response) = await BoundedRequest.SendAsync(
            bound => client.GetResponse<OrderAccepted, OrderRejected, OrderConflict>(command, bound, options.Value.RequestTimeout),
            options.Value, Logger(loggers), nameof(SubmitOrder), command.OrderId, ct);
        if (!answered)
        {
            return GatewayProblems.NoAnswer(
                "Orders",
                retrySafe: true,
                $"The order may still be placed. It is always safe to retry with the same order id ({command.OrderId}): one id is placed at most once.",
                new Dictionary<string, object?> { ["orderId"] = command.OrderId });
        }

        if (response.Is(out Response<OrderAccepted>? accepted))
        {
            return Results.Accepted($"/orders/{command.OrderId}", new OrderPlaced(command.OrderId, accepted.Message.AcceptedAt));
        }

        if (response.Is(out Response<OrderConflict>? conflict))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: $"Order {command.OrderId} already exists with a different body.",
                detail: conflict.Message.Reason,
                extensions: new Dictionary<string, object?> { ["orderId"] = command.OrderId });
        }

        response.Is(out Response<OrderRejected>? rejected);
        return Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The order was rejected.",
            detail: rejected!.Message.Reason,
            extensions: new Dictionary<string, object?> { ["orderId"] = command.OrderId });
    }

    private static async Task<IResult> GetOrderAsync(
        Guid id,
        IRequestClient<GetOrderStatus> client,
        IOptions<GatewayOptions> options,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var (answered, response) = await BoundedRequest.SendAsync(
            bound => client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(id), bound, options.Value.RequestTimeout),
            options.Value, Logger(loggers), nameof(GetOrderStatus), id, ct);
        if (!answered)
        {
            return GatewayProblems.NoAnswer(
                "Orders", retrySafe: true, "Asking for an order's status changes nothing; it is safe to ask again.", OrderIdExtension(id));
        }

        return response.Is(out Response<OrderStatus>? status)
            ? Results.Ok(status.Message)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Order {id} was not found.");
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
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var (answered, response) = await BoundedRequest.SendAsync(
            bound => client.GetResponse<OrderCancellationAccepted, OrderCancellationRejected, OrderNotFound>(
                new CancelOrder(id, reason ?? "Cancelled by the customer."), bound, options.Value.RequestTimeout),
            options.Value, Logger(loggers), nameof(CancelOrder), id, ct);
        if (!answered)
        {
            // The saga accepts a cancel of a cancelled order again and changes nothing, so asking twice is harmless.
            return GatewayProblems.NoAnswer(
                "Orders", retrySafe: true, "The cancellation may still happen. It is safe to ask again: cancelling twice cancels once.", OrderIdExtension(id));
        }

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

    private static Dictionary<string, object?> OrderIdExtension(Guid id) => new() { ["orderId"] = id };

    private static ILogger Logger(ILoggerFactory loggers) => loggers.CreateLogger(typeof(OrderEndpoints));
}
