namespace MicroComms.Messaging.Inbox;

/// <summary>
/// One row per message id and receiving consumer (endpoint + consumer type + message type): the inbox that makes a
/// redelivered message a no-op, and the lease that keeps two processors of the same message from delivering its
/// outgoing messages twice.
/// </summary>
internal sealed class InboxState
{
    public long Id { get; set; }

    /// <summary>The original message id (stable across scheduled redeliveries).</summary>
    public Guid MessageId { get; set; }

    /// <summary>MassTransit's consumer id: a hash of endpoint name, consumer type and message type.</summary>
    public Guid ConsumerId { get; set; }

    /// <summary>Who holds the lease on this row (the processor delivering its outgoing messages).</summary>
    public Guid LockId { get; set; }

    /// <summary>Lease expiry: a processor that crashed mid-delivery gives the row up when this passes.</summary>
    public DateTime? LockedUntil { get; set; }

    public DateTime Received { get; set; }

    public int ReceiveCount { get; set; }

    public DateTime? Consumed { get; set; }

    public DateTime? Delivered { get; set; }

    public long? LastSequenceNumber { get; set; }
}
