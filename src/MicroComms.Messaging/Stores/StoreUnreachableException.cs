namespace MicroComms.Messaging.Stores;

/// <summary>Start-up could not open a service's database; the message says which, where and why.</summary>
public sealed class StoreUnreachableException : Exception
{
    public StoreUnreachableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
