using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// The bus outbox's and lapsed inbox rows' claims on either store: claiming is the store's own
/// (<see cref="StoreClaims"/>: leases under SQLite's write lock, <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL); recording
/// what was sent, counting failures and handing rows back is the same on both.
/// </summary>
internal sealed class OutboxLeaseStore(ILogger<OutboxLeaseStore> logger) : IOutboxLeaseStore
{
    private const int BusyRetryLimit = 10;

    public Task<IReadOnlyList<Guid>> ClaimAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken) =>
        StoreClaims.Of(db).ClaimOutboxOwnersAsync(db, lockId, limit, leaseUntil, cancellationToken);

    public Task<int> CompleteAsync(
        DbContext db,
        Guid lockId,
        IReadOnlyCollection<Guid> owners,
        IReadOnlyCollection<DeliveryOutcome> outcomes,
        int maxAttempts,
        CancellationToken cancellationToken) =>
        StoreClaims.Of(db).FinishAsync(db, BusyRetryLimit, async ct =>
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

            await RecordFailuresAsync(
                db.Set<OutboxMessage>().Where(m => m.OutboxId != null && held.Contains(m.OutboxId.Value)), outcomes, maxAttempts, ct);

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

    public async Task<IReadOnlyList<InboxState>> ClaimLapsedInboxAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken) =>

        // A plain read first: this runs every poll, and most polls find nothing, so they take no write lock.
        await StoreClaims.LapsedInbox(db, DateTime.UtcNow).AnyAsync(cancellationToken)
            ? await StoreClaims.Of(db).ClaimLapsedInboxAsync(db, lockId, limit, leaseUntil, cancellationToken)
            : [];

    public Task<int> CompleteInboxAsync(
        DbContext db,
        Guid lockId,
        IReadOnlyCollection<long> inboxRows,
        IReadOnlyCollection<DeliveryOutcome> outcomes,
        int maxAttempts,
        CancellationToken cancellationToken) =>
        StoreClaims.Of(db).FinishAsync(db, BusyRetryLimit, async ct =>
        {
            var held = await db.Set<InboxState>().AsNoTracking()
                .Where(i => inboxRows.Contains(i.Id) && i.LockId == lockId && i.Delivered == null)
                .Select(i => new { i.Id, i.MessageId })
                .ToListAsync(ct);
            var heldMessageIds = held.ConvertAll(i => i.MessageId);
            var owned = db.Set<OutboxMessage>().Where(m => m.InboxMessageId != null && heldMessageIds.Contains(m.InboxMessageId.Value));

            var sent = outcomes.Where(o => o.Sent).Select(o => o.SequenceNumber).ToList();
            var deleted = sent.Count == 0 ? 0 : await owned.Where(m => sent.Contains(m.SequenceNumber)).ExecuteDeleteAsync(ct);
            if (deleted < sent.Count)
            {
                logger.LogWarning("Inbox lease {LockId} lapsed before {Count} sent messages were recorded: they may be sent again", lockId, sent.Count - deleted);
            }

            await RecordFailuresAsync(owned, outcomes, maxAttempts, ct);

            // Nothing left: the consumed message is complete. Set-aside messages left: the row waits, unleased, for the operator.
            var now = DateTime.UtcNow;
            var heldIds = held.ConvertAll(i => i.Id);
            await db.Set<InboxState>()
                .Where(i => heldIds.Contains(i.Id)
                    && !db.Set<OutboxMessage>().Any(m => m.InboxMessageId == i.MessageId && m.InboxConsumerId == i.ConsumerId))
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.Delivered, now).SetProperty(i => i.LockedUntil, (DateTime?)null), ct);
            await db.Set<InboxState>()
                .Where(i => heldIds.Contains(i.Id) && i.Delivered == null)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.LockedUntil, (DateTime?)null), ct);
            return sent.Count - deleted;
        }, cancellationToken);

    public Task<int> ReleaseAsync(DbContext db, Guid lockId, IReadOnlyCollection<Guid> owners, CancellationToken cancellationToken) =>
        StoreClaims.Of(db).FinishAsync(db, BusyRetryLimit, ct => db.Set<OutboxState>()
            .Where(s => owners.Contains(s.OutboxId) && s.LockId == lockId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LockId, Guid.Empty).SetProperty(s => s.LockedUntil, (DateTime?)null), ct), cancellationToken);

    public Task<int> RecoverStrandedAsync(DbContext db, CancellationToken cancellationToken) =>
        StoreWrite.RunAsync(db, BusyRetryLimit, async ct =>
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

    /// <summary>Counts the failed attempts that were the messages' own fault and sets aside those past <paramref name="maxAttempts"/>.</summary>
    private static async Task RecordFailuresAsync(IQueryable<OutboxMessage> owned, IReadOnlyCollection<DeliveryOutcome> outcomes, int maxAttempts, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        foreach (var failure in outcomes.Where(o => !o.Sent))
        {
            var increment = failure.CountsAsAttempt ? 1 : 0;
            await owned.Where(m => m.SequenceNumber == failure.SequenceNumber)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(m => m.DeliveryAttempts, m => m.DeliveryAttempts + increment)
                    .SetProperty(m => m.FailureReason, failure.Reason)
                    .SetProperty(m => m.SetAside, m => m.DeliveryAttempts + increment >= maxAttempts ? now : (DateTime?)null), ct);
        }
    }
}
