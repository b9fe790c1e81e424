using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Outbox;

/// <summary>
/// Leases on SQLite: every claim is one UPDATE inside BEGIN IMMEDIATE, i.e. under the database-wide write lock,
/// so two delivery services (threads or processes) can never both see an owner as free. A lease lapses after
/// <see cref="SqliteOutboxOptions.LeaseDuration"/>, so a crashed service's owners are taken over.
/// </summary>
public sealed class SqliteOutboxLeaseStore(ILogger<SqliteOutboxLeaseStore> logger) : IOutboxLeaseStore
{
    private const int BusyRetryLimit = 10;

    public Task<IReadOnlyList<Guid>> ClaimAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken) =>
        SqliteWrite.RunAsync<IReadOnlyList<Guid>>(db, BusyRetryLimit, async ct =>
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

    public Task<int> CompleteAsync(
        DbContext db,
        Guid lockId,
        IReadOnlyCollection<Guid> owners,
        IReadOnlyCollection<DeliveryOutcome> outcomes,
        int maxAttempts,
        CancellationToken cancellationToken) =>
        SqliteWrite.RunAsync(db, BusyRetryLimit, async ct =>
        {
            var held = await db.Set<OutboxState>().AsNoTracking()
                .Where(s => owners.Contains(s.OutboxId) && s.LockId == lockId)
                .Select(s => s.OutboxId)
                .ToListAsync(ct);

            var sent = outcomes.Where(o => o.Sent).Select(o => o.SequenceNumber).ToList();
            var deleted = sent.Count == 0 ? 0 : await db.Set<OutboxMessage>()
                .Where(m => sent.Contains(m.SequenceNumber) && m.OutboxId != null && held.Contains(m.OutboxId.Value))
                .ExecuteDeleteAsync(ct);
            if (deleted < sent.Count)
            {
                logger.LogWarning("Outbox lease {LockId} lapsed before {Count} sent messages were recorded: they may be sent again", lockId, sent.Count - deleted);
            }

            var now = DateTime.UtcNow;
            foreach (var failure in outcomes.Where(o => !o.Sent))
            {
                var increment = failure.CountsAsAttempt ? 1 : 0;
                await db.Set<OutboxMessage>()
                    .Where(m => m.SequenceNumber == failure.SequenceNumber && m.OutboxId != null && held.Contains(m.OutboxId.Value))
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(m => m.DeliveryAttempts, m => m.DeliveryAttempts + increment)
                        .SetProperty(m => m.FailureReason, failure.Reason)
                        .SetProperty(m => m.SetAside, m => m.DeliveryAttempts + increment >= maxAttempts ? now : (DateTime?)null), ct);
            }

            // Owners with nothing left to send are done; the rest go back to the pool for the next pass.
            await db.Set<OutboxState>()
                .Where(s => held.Contains(s.OutboxId)
                    && !db.Set<OutboxMessage>().Any(m => m.OutboxId == s.OutboxId && m.SetAside == null))
                .ExecuteDeleteAsync(ct);
            await db.Set<OutboxState>()
                .Where(s => held.Contains(s.OutboxId))
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LockId, Guid.Empty).SetProperty(s => s.LockedUntil, (DateTime?)null), ct);
            return sent.Count - deleted;
        }, cancellationToken);

    public Task<int> ReleaseAsync(DbContext db, Guid lockId, IReadOnlyCollection<Guid> owners, CancellationToken cancellationToken) =>
        SqliteWrite.RunAsync(db, BusyRetryLimit, ct => db.Set<OutboxState>()
            .Where(s => owners.Contains(s.OutboxId) && s.LockId == lockId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LockId, Guid.Empty).SetProperty(s => s.LockedUntil, (DateTime?)null), ct), cancellationToken);

    public Task<int> RecoverStrandedAsync(DbContext db, CancellationToken cancellationToken) =>
        SqliteWrite.RunAsync(db, BusyRetryLimit, async ct =>
        {
            var orphans = await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.OutboxId != null && m.SetAside == null && !db.Set<OutboxState>().Any(s => s.OutboxId == m.OutboxId))
                .Select(m => m.OutboxId!.Value)
                .Distinct()
                .ToListAsync(ct);
            foreach (var id in orphans)
            {
                db.Add(new OutboxState { OutboxId = id, Created = DateTime.UtcNow });
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            return orphans.Count;
        }, cancellationToken);
}
