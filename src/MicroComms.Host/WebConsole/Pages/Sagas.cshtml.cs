using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>The order workflows: counts by state, and those not final for longer than a threshold (<c>?olderThan=</c>).</summary>
public sealed class SagasModel(ConsoleStores stores, IOptions<ConsoleOptions> options, ILogger<SagasModel> logger) : ConsolePage(options, logger)
{
    [BindProperty(SupportsGet = true)]
    public string? OlderThan { get; set; }

    public IReadOnlyList<(string State, int Count)>? Counts { get; private set; }

    public IReadOnlyList<Orders.Saga.OrderState>? Stale { get; private set; }

    public TimeSpan Threshold { get; private set; }

    public string ThresholdText => ConsolePage.Age(Threshold);

    public int PageSizeShown => Options.PageSize;

    [BindProperty(SupportsGet = true)]
    public string? OrderId { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(OrderId))
        {
            if (Guid.TryParse(OrderId.Trim(), out var id))
            {
                return Redirect($"{WebConsoleRegistration.PathBase}/sagas/{id}");
            }

            Alert = $"'{OrderId}' is not an order id (a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301).";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        Threshold = Options.StaleAfter;
        if (!string.IsNullOrWhiteSpace(OlderThan))
        {
            if (TimeSpan.TryParse(OlderThan, CultureInfo.InvariantCulture, out var given) && given >= TimeSpan.Zero)
            {
                Threshold = given;
            }
            else
            {
                Alert = $"'{OlderThan}' is not a duration: write it as hh:mm:ss (e.g. 00:05:00) or d.hh:mm:ss. Showing {ConsolePage.Age(Threshold)}.";
                Response.StatusCode = StatusCodes.Status400BadRequest;
            }
        }

        var database = stores.Orders;
        if (!database.Exists)
        {
            Problem = $"No Orders database at {database.Location}: the Orders service has not run with this data folder or connection string.";
            return Page();
        }

        await ReadAsync(() => ConsoleStores.OrdersAsync(database, async db =>
        {
            Counts = await SagaQueries.CountByStateAsync(db, cancellationToken);
            if (!Live)
            {
                var open = Counts.Select(c => c.State).Where(s => !Orders.OrderStates.IsFinal(s)).ToList();
                Stale = await SagaQueries.NotFinalSinceAsync(db, database.Store, open, DateTimeOffset.UtcNow - Threshold, Options.PageSize, cancellationToken);
            }

            return true;
        }));
        return Page();
    }
}
