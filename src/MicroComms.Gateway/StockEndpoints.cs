using MassTransit;
using MicroComms.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Gateway;

/// <summary><c>GET /stock/{sku}</c>: request-response to Inventory.</summary>
public static class StockEndpoints
{
    public static IEndpointRouteBuilder MapStockEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stock/{sku}", GetStockAsync)
            .WithName("GetStock")
            .WithSummary("Get a SKU's stock level")
            .WithDescription("Available and reserved quantities of a SKU, as Inventory answers them.")
            .WithTags("Stock")
            .Produces<StockLevel>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return app;
    }

    private static async Task<IResult> GetStockAsync(
        string sku,
        IRequestClient<CheckStock> client,
        IOptions<GatewayOptions> options,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        if (!Identifiers.IsValid(sku))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["sku"] = [$"Must be {Identifiers.Rule}"] });
        }

        var (answered, response) = await BoundedRequest.SendAsync(
            bound => client.GetResponse<StockLevel>(new CheckStock(sku), bound, options.Value.RequestTimeout),
            options.Value, loggers.CreateLogger(typeof(StockEndpoints)), nameof(CheckStock), sku, ct);
        if (!answered)
        {
            return GatewayProblems.NoAnswer(
                "Inventory", retrySafe: true, "Asking for a stock level changes nothing; it is safe to ask again.",
                new Dictionary<string, object?> { ["sku"] = sku });
        }

        return response.Message.Known
            ? Results.Ok(response.Message)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"SKU '{sku}' is not in the catalogue.");
    }
}
