namespace MicroComms.Messaging.Retry;

/// <summary>
/// Thrown by a consumer when retrying cannot help (bad input, a broken invariant): the message skips the
/// retry policy and goes straight to the endpoint's error queue.
/// </summary>
public class PermanentFailureException : Exception
{
    public PermanentFailureException()
    {
    }

    public PermanentFailureException(string message)
        : base(message)
    {
    }

    public PermanentFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
