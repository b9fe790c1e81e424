using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Sqlite;

/// <summary>
/// Claims on SQLite are leases: every claim reads and updates inside BEGIN IMMEDIATE (or a single UPDATE), i.e. under
/// the database-wide write lock, so two processes can never both see a row as free; a crashed process's leases lapse.
/// </summary>
internal sealed class SqliteClaims : StoreClaims
{
    public static readonly SqliteClaims Instance = new();

    private const int BusyRetryLimit = 10;

    public override Task<IReadOnlyList<Guid>> ClaimOutboxOwnersAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken) =>
        StoreWrite.RunAsync<IReadOnlyList<Guid>>(db, BusyRetryLimit, async ct =>
        {
            var now = DateTime.UtcNow;
            var free = await db.Set<OutboxState>().AsNoTracking()
                .Where(s => s.Delivered == null && (s.LockedUntil == null || s.LockedUntil < now))
                .OrderBy(s => s.Created)
                .Select(s => s.OutboxId)
                .Take(limit)
                .ToListAsync(ct);
            if (free.Count == 0)
            {
                return free;
            }

            // Still inside the write transaction: nobody can have claimed these since the read.
            await db.Set<OutboxState>().Where(s => free.Contains(s.OutboxId))
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LockId, lockId).SetProperty(s => s.LockedUntil, leaseUntil), ct);
            return free;
        }, cancellationToken);

    public override Task<IReadOnlyList<InboxState>> ClaimLapsedInboxAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken) =>
        StoreWrite.RunAsync<IReadOnlyList<InboxState>>(db, BusyRetryLimit, async ct =>
        {
            // Inside the write transaction: nobody can have claimed these since the read.
            var rows = await LapsedInbox(db, DateTime.UtcNow).OrderBy(i => i.Id).Take(limit).ToListAsync(ct);
            var ids = rows.ConvertAll(i => i.Id);
            await db.Set<InboxState>().Where(i => ids.Contains(i.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.LockId, lockId).SetProperty(i => i.LockedUntil, leaseUntil), ct);
            return rows;
        }, cancellationToken);

    public override Task<int> ClaimScheduledAsync(SchedulerDbContext db, Guid claim, long now, long leaseEnd, int batchSize, CancellationToken cancellationToken)
    {
        // One statement, so one write-lock hold: the rows it selects are the rows it leases.
        var due = db.ScheduledMessages
            .Where(x => x.SetAsideAt == null && x.DueAt <= now && (x.LockedUntil == null || x.LockedUntil < now))
            .OrderBy(x => x.DueAt)
            .Take(batchSize)
            .Select(x => x.TokenId);
        return db.ScheduledMessages
            .Where(x => due.Contains(x.TokenId))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LockToken, claim).SetProperty(x => x.LockedUntil, leaseEnd), cancellationToken);
    }

    public override Task<T> FinishAsync<T>(DbContext db, int attempts, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        StoreWrite.RunAsync(db, attempts, work, cancellationToken);
}
