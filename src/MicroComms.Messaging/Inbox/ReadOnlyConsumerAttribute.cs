namespace MicroComms.Messaging.Inbox;

/// <summary>
/// Marks a consumer that changes nothing (a query): the consumer outbox and inbox leave it out, so its answer goes out
/// at once, without an inbox row, a shared commit and a delivered mark per request. A redelivered query is simply
/// answered again; that is its idempotency.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ReadOnlyConsumerAttribute : Attribute
{
    internal static bool IsOn(Type type) => type.IsDefined(typeof(ReadOnlyConsumerAttribute), inherit: false);
}
