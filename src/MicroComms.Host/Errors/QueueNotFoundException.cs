namespace MicroComms.Host.Errors;

/// <summary>The queue named does not exist in the virtual host (a typo, or it was deleted): the console answers 404.</summary>
public sealed class QueueNotFoundException : ErrorCommandException
{
    public QueueNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
