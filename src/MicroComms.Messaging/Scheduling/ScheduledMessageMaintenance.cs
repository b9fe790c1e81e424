using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// What an operator does with a scheduler database: count what waits, list the set-aside messages, put them back in
/// line (replay) or delete them (purge). Works while the services run: every write is one short transaction under
/// SQLite's write lock, like the dispatcher's own, and a replayed row is claimed by the next dispatch pass.
/// </summary>
public sealed class ScheduledMessageMaintenance(SchedulerDbContext db, int busyRetryLimit = OutboxMaintenance.DefaultBusyRetryLimit)
{
    public async Task<SchedulerSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        var rows = db.ScheduledMessages.AsNoTracking();
        var waiting = await rows.CountAsync(x => x.SetAsideAt == null, cancellationToken);
        var setAside = await rows.CountAsync(x => x.SetAsideAt != null, cancellationToken);
        var next = waiting == 0 ? null : await rows.Where(x => x.SetAsideAt == null).Select(x => (long?)x.DueAt).MinAsync(cancellationToken);
        return new SchedulerSummary(waiting, setAside, next is { } due ? DateTimeOffset.FromUnixTimeMilliseconds(due) : null);
    }

    /// <summary>Set-aside messages, the earliest set aside first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<SetAsideScheduledMessage>> ListSetAsideAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var rows = await db.ScheduledMessages.AsNoTracking()
            .Where(x => x.SetAsideAt != null)
            .OrderBy(x => x.SetAsideAt).ThenBy(x => x.DueAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return rows.Select(x => new SetAsideScheduledMessage(
                x.TokenId,
                x.MessageId,
                x.MessageType,
                x.DestinationAddress?.ToString() ?? "",
                DateTimeOffset.FromUnixTimeMilliseconds(x.DueAt),
                x.DeliveryAttempts,
                x.FailureReason,
                DateTimeOffset.FromUnixTimeMilliseconds(x.SetAsideAt!.Value)))
            .ToList();
    }

    /// <summary>Messages in line due by <paramref name="dueBy"/> (those overdue first), at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<WaitingScheduledMessage>> ListDueAsync(DateTimeOffset dueBy, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var until = dueBy.ToUnixTimeMilliseconds();
        var rows = await db.ScheduledMessages.AsNoTracking()
            .Where(x => x.SetAsideAt == null && x.DueAt <= until)
            .OrderBy(x => x.DueAt)
            .Take(limit)
            .Select(x => new { x.TokenId, x.MessageId, x.MessageType, x.DestinationAddress, x.DueAt, x.DeliveryAttempts, x.LockedUntil })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(x => new WaitingScheduledMessage(
            x.TokenId, x.MessageId, x.MessageType, x.DestinationAddress?.ToString() ?? "", DateTimeOffset.FromUnixTimeMilliseconds(x.DueAt),
            x.DeliveryAttempts, x.LockedUntil is { } locked && locked > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))];
    }

    /// <summary>
    /// Puts set-aside messages (all, or those with <paramref name="messageId"/>) back in line with their attempts reset.
    /// Their due time has passed, so a dispatcher sends them on its next pass. Returns how many were put back.
    /// </summary>
    public Task<int> ReplayAsync(Guid? messageId, CancellationToken cancellationToken) =>
        StoreWrite.RunAsync(db, busyRetryLimit, ct => SetAsideQuery(messageId).ExecuteUpdateAsync(
            u => u.SetProperty(x => x.SetAsideAt, (long?)null)
                .SetProperty(x => x.DeliveryAttempts, 0)
                .SetProperty(x => x.FailureReason, (string?)null)
                .SetProperty(x => x.LockToken, (Guid?)null)
                .SetProperty(x => x.LockedUntil, (long?)null),
            ct), cancellationToken);

    /// <summary>Deletes set-aside messages (all, or those with <paramref name="messageId"/>) for good; those in line are untouched.</summary>
    public Task<int> PurgeAsync(Guid? messageId, CancellationToken cancellationToken) =>
        StoreWrite.RunAsync(db, busyRetryLimit, ct => SetAsideQuery(messageId).ExecuteDeleteAsync(ct), cancellationToken);

    private IQueryable<ScheduledMessageRow> SetAsideQuery(Guid? messageId) =>
        messageId is { } id
            ? db.ScheduledMessages.Where(x => x.SetAsideAt != null && x.MessageId == id)
            : db.ScheduledMessages.Where(x => x.SetAsideAt != null);
}
