using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Postgres;

/// <summary>
/// Claims on PostgreSQL are row locks: <c>SELECT … FOR UPDATE SKIP LOCKED</c> in a READ COMMITTED transaction that stays
/// open while the claimed rows' messages are sent and is committed with what was sent (<see cref="FinishAsync{T}"/>).
/// Instances skip each other's rows instead of waiting, and a crashed instance's rows are free as soon as its
/// connection drops. The lease columns are still written in the same transaction, so the rows read the same to the
/// shared completion code and the operator commands on both stores.
/// </summary>
internal sealed class PostgresClaims : StoreClaims
{
    public static readonly PostgresClaims Instance = new();

    public override async Task<IReadOnlyList<Guid>> ClaimOutboxOwnersAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken) =>
        await ClaimAsync(db, async ct =>
        {
            var now = DateTime.UtcNow;
            var owners = await db.Database.SqlQuery<Guid>($"""
                SELECT "OutboxId" AS "Value" FROM "OutboxState"
                WHERE "Delivered" IS NULL AND ("LockedUntil" IS NULL OR "LockedUntil" < {now})
                ORDER BY "Created" LIMIT {limit}
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
            await db.Set<OutboxState>().Where(s => owners.Contains(s.OutboxId))
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LockId, lockId).SetProperty(s => s.LockedUntil, leaseUntil), ct);
            return owners;
        }, owners => owners.Count, cancellationToken);

    public override async Task<IReadOnlyList<InboxState>> ClaimLapsedInboxAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken) =>
        await ClaimAsync(db, async ct =>
        {
            // The rows LapsedInbox selects, locked: SKIP LOCKED needs the lock in the statement that picks the rows.
            var now = DateTime.UtcNow;
            var rows = await db.Set<InboxState>().FromSql($"""
                SELECT i.* FROM "InboxState" AS i
                WHERE i."Consumed" IS NOT NULL AND i."Delivered" IS NULL AND (i."LockedUntil" IS NULL OR i."LockedUntil" < {now})
                  AND (EXISTS (SELECT 1 FROM "OutboxMessage" AS m
                               WHERE m."InboxMessageId" = i."MessageId" AND m."InboxConsumerId" = i."ConsumerId" AND m."SetAside" IS NULL)
                       OR NOT EXISTS (SELECT 1 FROM "OutboxMessage" AS m
                                      WHERE m."InboxMessageId" = i."MessageId" AND m."InboxConsumerId" = i."ConsumerId"))
                ORDER BY i."Id" LIMIT {limit}
                FOR UPDATE OF i SKIP LOCKED
                """).AsNoTracking().ToListAsync(ct);
            var ids = rows.ConvertAll(i => i.Id);
            await db.Set<InboxState>().Where(i => ids.Contains(i.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.LockId, lockId).SetProperty(i => i.LockedUntil, leaseUntil), ct);
            return rows;
        }, rows => rows.Count, cancellationToken);

    public override Task<int> ClaimScheduledAsync(SchedulerDbContext db, Guid claim, long now, long leaseEnd, int batchSize, CancellationToken cancellationToken) =>
        ClaimAsync(db, ct => db.Database.ExecuteSqlAsync($"""
            UPDATE scheduled_messages SET lock_token = {claim}, locked_until = {leaseEnd}
            WHERE token_id IN (
                SELECT token_id FROM scheduled_messages
                WHERE set_aside_at IS NULL AND due_at <= {now} AND (locked_until IS NULL OR locked_until < {now})
                ORDER BY due_at LIMIT {batchSize}
                FOR UPDATE SKIP LOCKED)
            """, ct), count => count, cancellationToken);

    public override async Task<T> FinishAsync<T>(DbContext db, int attempts, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not { } claim)
        {
            // Nothing claimed here (rows handed off at commit hold leases instead): a short write of its own.
            return await StoreWrite.RunAsync(db, attempts, work, cancellationToken);
        }

        await using (claim)
        {
            var result = await work(cancellationToken);
            await claim.CommitAsync(cancellationToken);
            return result;
        }
    }

    /// <summary>
    /// Opens the claim's transaction and keeps it open when <paramref name="countOf"/> says rows were claimed; rolls it
    /// back when none were.
    /// </summary>
    private static async Task<TResult> ClaimAsync<TResult>(
        DbContext db, Func<CancellationToken, Task<TResult>> claim, Func<TResult, int> countOf, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var result = await claim(cancellationToken);
            if (countOf(result) == 0)
            {
                await transaction.DisposeAsync();
            }

            return result;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }
}
