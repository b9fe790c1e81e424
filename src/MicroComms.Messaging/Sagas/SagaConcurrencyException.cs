namespace MicroComms.Messaging.Sagas;

/// <summary>
/// A saga write lost a race: another message changed (or created) the same instance first. Nothing was
/// written; retrying the message reloads the instance and applies the event to the current state.
/// </summary>
internal sealed class SagaConcurrencyException : Exception
{
    public SagaConcurrencyException()
    {
    }

    public SagaConcurrencyException(string message)
        : base(message)
    {
    }

    public SagaConcurrencyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
