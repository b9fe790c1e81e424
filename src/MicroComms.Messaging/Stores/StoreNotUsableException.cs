namespace MicroComms.Messaging.Stores;

/// <summary>
/// A service's database cannot be used as configured (unknown store, missing connection string, server unreachable,
/// schema not migrated); the message says which, where and why, in one sentence.
/// </summary>
public sealed class StoreNotUsableException : Exception
{
    public StoreNotUsableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
