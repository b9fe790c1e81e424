using MassTransit;
using MicroComms.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Inventory;

public static class InventoryEndpoints
{
    /// <summary>Inventory's own HTTP endpoints: <c>POST /inventory/{sku}/restock</c>.</summary>
    public static IEndpointRouteBuilder MapInventoryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/inventory/{sku}/restock", RestockAsync)
            .WithName("Restock")
            .WithSummary("Restock a SKU")
            .WithDescription("Adds stock to a SKU in the catalogue and publishes StockRestocked in the same commit (bus outbox).")
            .WithTags("Inventory")
            .Accepts<RestockRequest>("application/json")
            .Produces<StockLevel>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    /// <summary>
    /// Adds stock and publishes <see cref="StockRestocked"/> in the same save (the bus outbox makes the two atomic). A
    /// concurrent reservation of the same SKU makes the save fail its concurrency check: read again.
    /// </summary>
    private static async Task<IResult> RestockAsync(
        string sku,
        RestockRequest? request,
        InventoryDbContext db,
        IPublishEndpoint publisher,
        IOptions<InventoryOptions> options,
        TimeProvider clock,
        ILogger<InventoryDbContext> logger,
        CancellationToken ct)
    {
        if (!Identifiers.IsValid(sku))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["sku"] = [$"Must be {Identifiers.Rule}"] });
        }

        var limits = options.Value;
        if (request is null || request.Quantity <= 0 || request.Quantity > limits.MaxRestockQuantity)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["quantity"] = [$"Must be between 1 and {limits.MaxRestockQuantity}."],
            });
        }

        for (var attempt = 1; attempt <= limits.RestockAttempts; attempt++)
        {
            var item = await db.Stock.FirstOrDefaultAsync(s => s.Sku == sku, ct);
            if (item is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"SKU '{sku}' is not in the catalogue.");
            }

            item.Available += request.Quantity;
            item.Version++;
            // Before the save: the bus outbox stores the message as a row of the next save, so a publish after the last
            // one would never be stored (nor sent). A failed save's rows go with the cleared change tracker.
            await publisher.Publish(new StockRestocked(item.Sku, request.Quantity, item.Available, clock.GetUtcNow()), ct);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                continue;
            }

            logger.LogInformation("Restocked {Sku} with {Added}; {Available} available", item.Sku, request.Quantity, item.Available);
            return Results.Ok(new StockLevel(item.Sku, true, item.Available, item.Reserved));
        }

        return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"SKU '{sku}' kept changing; try again.");
    }
}
