namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// An outgoing message kept until it is on the broker: owned either by a consumer's inbox row
/// (<see cref="InboxMessageId"/> + <see cref="InboxConsumerId"/>) or by a bus-outbox owner (<see cref="OutboxId"/>).
/// </summary>
internal sealed class OutboxMessage : StoredEnvelope
{
    /// <summary>Store order; messages of one owner are sent in this order.</summary>
    public long SequenceNumber { get; set; }

    /// <summary>Not before this time (a delayed send); the delivery service waits until it is due.</summary>
    public DateTime? EnqueueTime { get; set; }

    public Guid? InboxMessageId { get; set; }

    public Guid? InboxConsumerId { get; set; }

    public Guid? OutboxId { get; set; }

    /// <summary>Set when the message was set aside after too many failed attempts: it no longer blocks its owner.</summary>
    public DateTime? SetAside { get; set; }

    protected override long StoreOrder => SequenceNumber;
}
