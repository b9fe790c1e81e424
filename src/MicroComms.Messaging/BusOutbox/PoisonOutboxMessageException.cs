namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// The stored message itself cannot be sent (it no longer deserializes, or its destination is invalid): a failure that
/// counts towards setting it aside, unlike a broker outage. Used by the outbox and by the scheduler's stored messages.
/// </summary>
internal sealed class PoisonOutboxMessageException : Exception
{
    public PoisonOutboxMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
