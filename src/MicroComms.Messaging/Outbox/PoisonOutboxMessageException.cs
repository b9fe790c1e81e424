namespace MicroComms.Messaging.Outbox;

/// <summary>The stored message itself cannot be sent (it no longer deserializes, or its destination is invalid).</summary>
public sealed class PoisonOutboxMessageException : Exception
{
    public PoisonOutboxMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
