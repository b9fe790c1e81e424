namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// The owner of bus-outbox messages: one row per DI scope that published or sent outside a consumer. Delivery
/// services lease owners (never single messages), so the messages of one owner go out in sequence order.
/// </summary>
internal sealed class OutboxState
{
    public Guid OutboxId { get; set; }

    /// <summary>The delivery service holding the lease; <see cref="Guid.Empty"/> when none.</summary>
    public Guid LockId { get; set; }

    /// <summary>Lease expiry; null or past means any delivery service may claim the owner.</summary>
    public DateTime? LockedUntil { get; set; }

    public DateTime Created { get; set; }

    public DateTime? Delivered { get; set; }

    public long? LastSequenceNumber { get; set; }
}
