namespace MicroComms.Messaging;

/// <summary>Start-up could not reach the configured broker; the message says where and what to do.</summary>
public sealed class BrokerUnreachableException : Exception
{
    public BrokerUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
