using MicroComms.Messaging.BusOutbox;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>
/// The services' outboxes, as <c>outbox list|show|replay|purge</c> shows and changes them, through the same
/// <see cref="OutboxMaintenance"/>: per service pending, set aside, oldest pending; the set-aside rows with their reason;
/// replay (back in line, attempts reset) and purge (asked first). A missing or unreadable database is named in its row.
/// </summary>
public sealed class OutboxModel(ConsoleStores stores, IOptions<ConsoleOptions> options, ILogger<OutboxModel> logger) : ConsolePage(options, logger)
{
    public IReadOnlyList<ServiceOutbox> Summaries { get; private set; } = [];

    public IReadOnlyList<(string Service, SetAsideMessage Message)> SetAside { get; private set; } = [];

    public Confirmation? Confirm { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostReplayAsync(string service, Guid? messageId, bool confirm, CancellationToken cancellationToken)
    {
        if (stores.Service(service) is not { } database)
        {
            return await UnknownAsync(service, cancellationToken);
        }

        if (messageId is null && !confirm)
        {
            return await AskAsync(new Confirmation("Replay", service, null, $"Put every set-aside message of {service} back in line?", "Confirm replay all"), cancellationToken);
        }

        var replayed = await ChangeAsync("replay", database, messageId, m => m.ReplayAsync(messageId, cancellationToken));
        if (replayed is { } n)
        {
            Changed("outbox replay", Target(service, messageId), n == 0 && messageId is { } id
                ? $"No set-aside outbox message {id} in {service}: it was already replayed or purged."
                : $"{service}: {Plural(n, "message")} put back in line; the service sends them on its next delivery pass.", failed: n == 0 && messageId is not null);
        }

        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostPurgeAsync(string service, Guid? messageId, bool confirm, CancellationToken cancellationToken)
    {
        if (stores.Service(service) is not { } database)
        {
            return await UnknownAsync(service, cancellationToken);
        }

        if (!confirm)
        {
            var what = messageId is { } one ? $"the set-aside message {one} of {service}" : $"every set-aside message of {service}";
            return await AskAsync(new Confirmation("Purge", service, messageId, $"Delete {what} for good?", "Confirm purge"), cancellationToken);
        }

        var purged = await ChangeAsync("purge", database, messageId, m => m.PurgeAsync(messageId, cancellationToken));
        if (purged is { } n)
        {
            Changed("outbox purge", Target(service, messageId), n == 0 && messageId is { } id
                ? $"No set-aside outbox message {id} in {service}: it was already replayed or purged."
                : $"{service}: {Plural(n, "message")} deleted; they will not be sent.", failed: n == 0 && messageId is not null);
        }

        return RedirectToPage();
    }

    private async Task<int?> ChangeAsync(string action, OperatorDatabase database, Guid? messageId, Func<OutboxMaintenance, Task<int>> work)
    {
        if (!database.Exists)
        {
            Changed($"outbox {action}", Target(database.Name, messageId), $"{database.Name} has no database at {database.Location}.", failed: true);
            return null;
        }

        try
        {
            return await ConsoleStores.OutboxAsync(database, work);
        }
        catch (Errors.ErrorCommandException ex)
        {
            Changed($"outbox {action}", Target(database.Name, messageId), ex.Message, failed: true);
            return null;
        }
    }

    private async Task<IActionResult> AskAsync(Confirmation confirmation, CancellationToken cancellationToken)
    {
        Confirm = confirmation;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task<IActionResult> UnknownAsync(string service, CancellationToken cancellationToken)
    {
        Problem = $"No service database named '{service}'. Use any of: {string.Join(", ", ServiceDatabases.Names.Select(n => n.ToLowerInvariant()))}.";
        await LoadAsync(cancellationToken);
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var summaries = new List<ServiceOutbox>();
        var setAside = new List<(string, SetAsideMessage)>();
        foreach (var database in stores.Services)
        {
            if (!database.Exists)
            {
                summaries.Add(new ServiceOutbox(database.Name, database.Location, null, "no database (the service has not run here)"));
                continue;
            }

            try
            {
                var summary = await ConsoleStores.OutboxAsync(database, m => m.SummarizeAsync(cancellationToken));
                summaries.Add(new ServiceOutbox(database.Name, database.Location, summary, null));
                if (!Live && summary.SetAside > 0 && setAside.Count < Options.PageSize)
                {
                    var rows = await ConsoleStores.OutboxAsync(database, m => m.ListSetAsideAsync(Options.PageSize - setAside.Count, cancellationToken));
                    setAside.AddRange(rows.Select(r => (database.Name, r)));
                }
            }
            catch (Errors.ErrorCommandException ex)
            {
                summaries.Add(new ServiceOutbox(database.Name, database.Location, null, ex.Message));
            }
        }

        Summaries = summaries;
        SetAside = setAside;
    }

    private static string Target(string service, Guid? messageId) => messageId is { } id ? $"{service} outbox id {id}" : $"{service} outbox (all set aside)";

    public sealed record ServiceOutbox(string Service, string Location, OutboxSummary? Summary, string? Problem);

    public sealed record Confirmation(string Handler, string Service, Guid? MessageId, string Question, string Button);
}
