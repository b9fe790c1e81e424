using MicroComms.Host.Telemetry;
using MicroComms.Messaging.BusOutbox;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>
/// One order's timeline: its state changes from the saga row (each with the message that caused it and the reason; rows
/// from before they were recorded give only the submitted and last-change times), and its messages out (outbox rows of every service that
/// still hold them) and in (the inbox rows of the messages that produced them); a trace link when telemetry is on.
/// </summary>
public sealed class SagaModel(ConsoleStores stores, IOptions<ConsoleOptions> options, IOptions<TelemetryOptions> telemetry, ILogger<SagaModel> logger)
    : ConsolePage(options, logger)
{
    [FromRoute]
    public string OrderId { get; set; } = "";

    public Orders.Saga.OrderState? Saga { get; private set; }

    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];

    public string? TraceUrl { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(OrderId, out var id))
        {
            Problem = $"'{OrderId}' is not an order id (a GUID).";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        var orders = stores.Orders;
        if (!orders.Exists)
        {
            Problem = $"No Orders database at {orders.Location}.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        Saga = await ReadAsync(() => ConsoleStores.OrdersAsync(orders, db => db.OrderSagas.AsNoTracking().FirstOrDefaultAsync(s => s.CorrelationId == id, cancellationToken)));
        if (Saga is null)
        {
            Problem ??= $"No order workflow with id {id}: the order was never accepted, or its workflow has not started yet.";
            Response.StatusCode = Problem.StartsWith("No order", StringComparison.Ordinal) ? StatusCodes.Status404NotFound : Response.StatusCode;
            return Page();
        }

        var entries = new List<TimelineEntry> { new(Saga.SubmittedAt.UtcDateTime, "Submitted: the workflow started (OrderSubmitted in)") };
        entries.AddRange(Saga.Transitions.Select(t =>
            new TimelineEntry(t.At.UtcDateTime, $"{t.Event} -> {t.State}{(t.Reason is null ? "" : $" ({t.Reason})")}")));

        // A row saved before transitions were recorded has none: its times are all there is.
        if (Saga.Transitions.Count == 0 && Saga.FinishedAt is { } finished)
        {
            entries.Add(new(finished.UtcDateTime, $"Finished: {Saga.CurrentState}{(Saga.Reason is null ? "" : $" ({Saga.Reason})")}"));
        }
        else if (Saga.Transitions.Count == 0 && Saga.UpdatedAt is { } updated)
        {
            entries.Add(new(updated.UtcDateTime, $"Last change: now {Saga.CurrentState}"));
        }

        if (!Live)
        {
            foreach (var database in stores.Services.Where(d => d.Exists))
            {
                var messages = await ReadAsync(() => ConsoleStores.OutboxAsync(database, m => m.ListCorrelatedAsync(id, Options.PageSize, cancellationToken)));
                foreach (var m in messages ?? [])
                {
                    entries.Add(Out(database.Name, m));
                    if (m.InboundReceived is { } received)
                    {
                        entries.Add(new(OperatorJson.Utc(received), $"In ({database.Name}): message {m.InboundMessageId} received{(m.InboundConsumed is null ? ", not yet consumed" : ", consumed")}"));
                    }
                }
            }

            var template = Options.TraceSearchUrl;
            TraceUrl = telemetry.Value.Enabled && !string.IsNullOrWhiteSpace(template) ? template.Replace("{orderId}", id.ToString(), StringComparison.Ordinal) : null;
        }

        Timeline = [.. entries.OrderBy(e => e.At)];
        return Page();
    }

    private static TimelineEntry Out(string service, CorrelatedMessage m)
    {
        var status = m.SetAside is { } setAside
            ? $"set aside {OperatorJson.Utc(setAside):HH:mm:ss} after {m.DeliveryAttempts} attempt(s): {m.FailureReason}"
            : $"waiting to be sent ({m.DeliveryAttempts} attempt(s) so far)";
        return new(OperatorJson.Utc(m.SentTime), $"Out ({service}): {OperatorCommand.ShortType(m.MessageType)} to {m.DestinationAddress?.ToString() ?? "-"}, {status}");
    }

    public sealed record TimelineEntry(DateTime At, string What);
}
