namespace MicroComms.Messaging.Retry;

/// <summary>Headers MicroComms adds to what MassTransit writes.</summary>
public static class MicroCommsHeaders
{
    /// <summary>
    /// When the message first failed (ISO 8601, UTC). MassTransit's <c>MT-Fault-Timestamp</c> only tells
    /// the last failure; the scheduler stamps this one when it stores the first delayed redelivery, and it
    /// travels with the message to the error queue.
    /// </summary>
    public const string FirstFaultTimestamp = "MicroComms-First-Fault-Timestamp";

    /// <summary>The redelivery count MassTransit writes (scheduled redelivery).</summary>
    public const string RedeliveryCount = "MT-Redelivery-Count";
}
