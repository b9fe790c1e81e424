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

    /// <summary>The row's own fault behind <paramref name="exception"/>, if any: transports may wrap what the pipe threw.</summary>
    public static PoisonOutboxMessageException? Find(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is PoisonOutboxMessageException poison)
            {
                return poison;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Find).FirstOrDefault(p => p is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
