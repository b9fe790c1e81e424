using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Postgres;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Stores;

/// <summary>
/// How delivery services and scheduler dispatchers of several processes share rows, the one thing that differs between
/// the stores. SQLite has one writer and no row locks: a claim is a lease written under the write lock, taken over when
/// it lapses. PostgreSQL claims with <c>FOR UPDATE SKIP LOCKED</c> in a transaction held until the claim is finished:
/// other instances skip those rows, and a crashed instance's rows are free the moment its connection dies.
/// </summary>
internal abstract class StoreClaims
{
    public static StoreClaims Of(DbContext db) => db.Database.IsNpgsql() ? PostgresClaims.Instance : SqliteClaims.Instance;

    /// <summary>Claims up to <paramref name="limit"/> bus-outbox owners that nobody holds, oldest first.</summary>
    public abstract Task<IReadOnlyList<Guid>> ClaimOutboxOwnersAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken);

    /// <summary>Claims up to <paramref name="limit"/> of the consumed inbox rows <see cref="LapsedInbox"/> selects.</summary>
    public abstract Task<IReadOnlyList<InboxState>> ClaimLapsedInboxAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken);

    /// <summary>Claims up to <paramref name="batchSize"/> due scheduled messages for <paramref name="claim"/>; returns how many.</summary>
    public abstract Task<int> ClaimScheduledAsync(SchedulerDbContext db, Guid claim, long now, long leaseEnd, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the write that ends a claim (what was sent, what failed, what is handed back) and ends the claim: inside the
    /// claim's transaction, then committed, where the store holds claims as row locks; as a short write of its own otherwise.
    /// </summary>
    public abstract Task<T> FinishAsync<T>(DbContext db, int attempts, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Ends a claim whose writes are done (see <see cref="FinishAsync{T}"/>).</summary>
    public Task FinishAsync(DbContext db, CancellationToken cancellationToken) =>
        FinishAsync(db, 1, _ => Task.FromResult(true), cancellationToken);

    /// <summary>
    /// Consumed, not delivered, lease lapsed (or given back), with a message to send or nothing at all left: rows whose
    /// remaining messages are all set aside are left to the operator.
    /// </summary>
    public static IQueryable<InboxState> LapsedInbox(DbContext db, DateTime now) =>
        db.Set<InboxState>().AsNoTracking()
            .Where(i => i.Consumed != null && i.Delivered == null && (i.LockedUntil == null || i.LockedUntil < now))
            .Where(i => db.Set<OutboxMessage>().Any(m => m.InboxMessageId == i.MessageId && m.InboxConsumerId == i.ConsumerId && m.SetAside == null)
                || !db.Set<OutboxMessage>().Any(m => m.InboxMessageId == i.MessageId && m.InboxConsumerId == i.ConsumerId));
}
