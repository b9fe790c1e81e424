namespace MicroComms.Messaging;

/// <summary>
/// Start-up stopped because a queue this service declares already exists on the broker with other arguments (a classic
/// queue where <c>MicroComms:RabbitMq:QueueType</c> asks for a quorum queue, or the reverse): retrying never helps,
/// so the message names the queue and what to do.
/// </summary>
public sealed class QueueConflictException : InvalidOperationException
{
    public QueueConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
