using MicroComms.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// How delivery services share the bus outbox: claim owners, record what was sent, give owners back
/// (<see cref="OutboxLeaseStore"/>; tests wrap it to watch or hold claims).
/// </summary>
internal interface IOutboxLeaseStore
{
    /// <summary>Leases up to <paramref name="limit"/> owners that nobody holds (or whose lease lapsed) to <paramref name="lockId"/>.</summary>
    Task<IReadOnlyList<Guid>> ClaimAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken);

    /// <summary>
    /// In one write: deletes the sent messages (only while <paramref name="lockId"/> still holds their owner), counts
    /// failed attempts and sets aside messages past <paramref name="maxAttempts"/>, deletes owners with nothing left to
    /// send and releases the rest. Returns how many sent messages could not be recorded because the lease was lost.
    /// </summary>
    Task<int> CompleteAsync(DbContext db, Guid lockId, IReadOnlyCollection<Guid> owners, IReadOnlyCollection<DeliveryOutcome> outcomes, int maxAttempts, CancellationToken cancellationToken);

    /// <summary>Releases the owners <paramref name="lockId"/> still holds, unsent; returns how many it held.</summary>
    Task<int> ReleaseAsync(DbContext db, Guid lockId, IReadOnlyCollection<Guid> owners, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="limit"/> consumed inbox rows whose outgoing messages are not all delivered and whose
    /// lease lapsed (their processor died, or gave up when the broker went away): the delivery service sends their
    /// messages because the incoming message may never come back to do it (it expired, or its sender is gone). Rows whose
    /// every remaining message is set aside wait for the operator.
    /// </summary>
    Task<IReadOnlyList<InboxState>> ClaimLapsedInboxAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken);

    /// <summary>
    /// The inbox twin of <see cref="CompleteAsync"/>: for the rows <paramref name="lockId"/> still holds, deletes the sent
    /// messages, counts failed attempts, marks rows with nothing left delivered and releases the rest. Returns how many
    /// sent messages could not be recorded because the lease was lost.
    /// </summary>
    Task<int> CompleteInboxAsync(DbContext db, Guid lockId, IReadOnlyCollection<long> inboxRows, IReadOnlyCollection<DeliveryOutcome> outcomes, int maxAttempts, CancellationToken cancellationToken);

    /// <summary>Gives an owner back to every pending bus-outbox message that lost it; returns how many owners were recreated.</summary>
    Task<int> RecoverStrandedAsync(DbContext db, CancellationToken cancellationToken);
}
