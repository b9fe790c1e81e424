using MicroComms.Messaging.Scheduling;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>
/// The scheduler's database: what waits, the messages due and overdue, and the set-aside ones with the
/// <c>scheduler replay|purge</c> actions, through the same <see cref="ScheduledMessageMaintenance"/>.
/// </summary>
public sealed class SchedulerModel(ConsoleStores stores, IOptions<ConsoleOptions> options, ILogger<SchedulerModel> logger) : ConsolePage(options, logger)
{
    /// <summary>"Due" on this page: overdue, or due within this much.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromMinutes(5);

    public string Location => stores.Scheduler.Location;

    public SchedulerSummary? Summary { get; private set; }

    public IReadOnlyList<WaitingScheduledMessage>? Due { get; private set; }

    public IReadOnlyList<SetAsideScheduledMessage>? SetAside { get; private set; }

    public Confirmation? Confirm { get; private set; }

    public int PageSizeShown => Options.PageSize;

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostReplayAsync(Guid? messageId, bool confirm, CancellationToken cancellationToken)
    {
        if (messageId is null && !confirm)
        {
            Confirm = new Confirmation("Replay", null, "Put every set-aside scheduled message back in line?", "Confirm replay all");
            await LoadAsync(cancellationToken);
            return Page();
        }

        await ChangeAsync("scheduler replay", messageId, m => m.ReplayAsync(messageId, cancellationToken), "put back in line; the scheduler sends them on its next pass");
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostPurgeAsync(Guid? messageId, bool confirm, CancellationToken cancellationToken)
    {
        if (!confirm)
        {
            var what = messageId is { } one ? $"the set-aside scheduled message {one}" : "every set-aside scheduled message";
            Confirm = new Confirmation("Purge", messageId, $"Delete {what} for good?", "Confirm purge");
            await LoadAsync(cancellationToken);
            return Page();
        }

        await ChangeAsync("scheduler purge", messageId, m => m.PurgeAsync(messageId, cancellationToken), "deleted; they will not be sent");
        return RedirectToPage();
    }

    private async Task ChangeAsync(string action, Guid? messageId, Func<ScheduledMessageMaintenance, Task<int>> work, string consequence)
    {
        var target = messageId is { } id ? $"scheduled message {id}" : "every set-aside scheduled message";
        var database = stores.Scheduler;
        if (!database.Exists)
        {
            Changed(action, target, $"No scheduler database at {database.Location}.", failed: true);
            return;
        }

        try
        {
            var n = await ConsoleStores.SchedulerAsync(database, work);
            Changed(action, target, n == 0 && messageId is { } wanted
                ? $"No set-aside scheduled message {wanted}: it was already replayed or purged."
                : $"{Plural(n, "message")} {consequence}.", failed: n == 0 && messageId is not null);
        }
        catch (Errors.ErrorCommandException ex)
        {
            Changed(action, target, ex.Message, failed: true);
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var database = stores.Scheduler;
        if (!database.Exists)
        {
            Problem = $"No scheduler database at {database.Location}: no process has run the scheduler with this data folder or connection string.";
            return;
        }

        await ReadAsync(() => ConsoleStores.SchedulerAsync(database, async m =>
        {
            Summary = await m.SummarizeAsync(cancellationToken);
            Due = await m.ListDueAsync(DateTimeOffset.UtcNow + Horizon, Options.PageSize, cancellationToken);
            SetAside = Live || Summary.SetAside == 0 ? [] : await m.ListSetAsideAsync(Options.PageSize, cancellationToken);
            return true;
        }));
    }

    public sealed record Confirmation(string Handler, Guid? MessageId, string Question, string Button);
}
