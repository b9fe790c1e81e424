using System.Threading.Channels;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// Hands bus-outbox owners from the scope that committed them to this process's delivery service, which sends them
/// from memory instead of leasing them and reading them back. The owner row is committed already leased to
/// <see cref="LockId"/> (in the same transaction, so no extra write). Owners still waiting when the delivery service
/// stops are released; if the process dies instead, their leases lapse. Either way any delivery service then claims
/// them like every other owner.
/// </summary>
internal sealed class OutboxHandOff<TDbContext>
    where TDbContext : DbContext
{
    /// <summary>Owners waiting in memory beyond which new owners are left to the claim passes (an overload or an outage).</summary>
    private const int MaxWaiting = 10_000;

    private readonly Channel<Owner> _owners = Channel.CreateUnbounded<Owner>(new() { SingleReader = true });
    private readonly TimeSpan _leaseDuration;
    private int _waiting;
    private volatile bool _open;

    public OutboxHandOff(IOptionsMonitor<MicroCommsOutboxOptions> options)
    {
        _leaseDuration = options.Get(MicroCommsOutboxRegistration.OptionsName<TDbContext>()).LeaseDuration;
    }

    /// <summary>The lease every handed-off owner is committed with.</summary>
    public Guid LockId { get; } = NewId.NextGuid();

    /// <summary>
    /// Before the save that commits a new owner: leases it to this process when the delivery service runs and keeps up;
    /// otherwise leaves it free for the claim passes.
    /// </summary>
    public void Lease(OutboxState owner)
    {
        if (_open && Volatile.Read(ref _waiting) < MaxWaiting)
        {
            owner.LockId = LockId;
            owner.LockedUntil = DateTime.UtcNow + _leaseDuration;
        }
    }

    /// <summary>After a failed save: the owner was not committed, so a retry (perhaps inside a transaction) starts unleased.</summary>
    public void Unlease(OutboxState owner)
    {
        if (owner.LockId == LockId)
        {
            owner.LockId = Guid.Empty;
            owner.LockedUntil = null;
        }
    }

    /// <summary>After the commit: the owner and its messages (with the sequence numbers the commit gave them).</summary>
    public void Committed(OutboxState owner, IReadOnlyList<OutboxMessage> messages)
    {
        if (owner.LockId == LockId && _owners.Writer.TryWrite(new Owner(owner.OutboxId, owner.LockedUntil!.Value, messages)))
        {
            Interlocked.Increment(ref _waiting);
        }
    }

    /// <summary>Up to <paramref name="limit"/> handed-off owners, oldest first; empty when none wait.</summary>
    public List<Owner> Take(int limit)
    {
        var taken = new List<Owner>();
        while (taken.Count < limit && _owners.Reader.TryRead(out var owner))
        {
            Interlocked.Decrement(ref _waiting);
            taken.Add(owner);
        }

        return taken;
    }

    internal void Open() => _open = true;

    /// <summary>No new leases; returns the owners still waiting, whose leases the delivery service gives back.</summary>
    internal List<Owner> Close()
    {
        _open = false;
        return Take(int.MaxValue);
    }

    /// <summary>A committed owner: its id, its lease expiry and its messages.</summary>
    internal sealed record Owner(Guid OutboxId, DateTime LeasedUntil, IReadOnlyList<OutboxMessage> Messages);
}
