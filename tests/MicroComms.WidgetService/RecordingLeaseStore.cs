using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicroComms.WidgetService;

/// <summary>
/// The SQLite lease store, counting the owners that claim passes lease; with <c>holdClaims</c> every claim pass waits
/// (until the host stops) so that nothing but the hand-off can deliver.
/// </summary>
internal sealed class RecordingLeaseStore(bool holdClaims = false) : IOutboxLeaseStore
{
    private readonly OutboxLeaseStore _inner = new(NullLogger<OutboxLeaseStore>.Instance);
    private int _claimed;

    public int OwnersClaimed => Volatile.Read(ref _claimed);

    /// <summary>Completes when the first claim pass starts, i.e. once the delivery service runs.</summary>
    public TaskCompletionSource ClaimStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<IReadOnlyList<Guid>> ClaimAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken)
    {
        ClaimStarted.TrySetResult();
        if (holdClaims)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var owners = await _inner.ClaimAsync(db, lockId, limit, leaseUntil, cancellationToken);
        Interlocked.Add(ref _claimed, owners.Count);
        return owners;
    }

    public Task<int> CompleteAsync(DbContext db, Guid lockId, IReadOnlyCollection<Guid> owners, IReadOnlyCollection<DeliveryOutcome> outcomes, int maxAttempts, CancellationToken cancellationToken) =>
        _inner.CompleteAsync(db, lockId, owners, outcomes, maxAttempts, cancellationToken);

    public Task<IReadOnlyList<InboxState>> ClaimLapsedInboxAsync(DbContext db, Guid lockId, int limit, DateTime leaseUntil, CancellationToken cancellationToken) =>
        _inner.ClaimLapsedInboxAsync(db, lockId, limit, leaseUntil, cancellationToken);

    public Task<int> CompleteInboxAsync(DbContext db, Guid lockId, IReadOnlyCollection<long> inboxRows, IReadOnlyCollection<DeliveryOutcome> outcomes, int maxAttempts, CancellationToken cancellationToken) =>
        _inner.CompleteInboxAsync(db, lockId, inboxRows, outcomes, maxAttempts, cancellationToken);

    public Task<int> ReleaseAsync(DbContext db, Guid lockId, IReadOnlyCollection<Guid> owners, CancellationToken cancellationToken) =>
        _inner.ReleaseAsync(db, lockId, owners, cancellationToken);

    public Task<int> RecoverStrandedAsync(DbContext db, CancellationToken cancellationToken) =>
        _inner.RecoverStrandedAsync(db, cancellationToken);
}
