using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// A serialized message kept in a store until it is sent: the envelope's columns, shared by the outbox's
/// <see cref="OutboxMessage"/> and the scheduler's <c>ScheduledMessageRow</c>. Implements MassTransit's
/// <see cref="OutboxMessageContext"/> so <see cref="OutboxMessageSendPipe"/> restores the envelope for either;
/// each store maps these properties to its own column names.
/// </summary>
internal abstract class StoredEnvelope : OutboxMessageContext
{
    private static readonly IReadOnlyDictionary<string, object> NoProperties =
        new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);

    private Headers? _headers;
    private IReadOnlyDictionary<string, object>? _properties;

    public Guid MessageId { get; set; }

    public Guid? ConversationId { get; set; }

    public Guid? CorrelationId { get; set; }

    public Guid? InitiatorId { get; set; }

    public Guid? RequestId { get; set; }

    public Uri? SourceAddress { get; set; }

    public Uri? DestinationAddress { get; set; }

    public Uri? ResponseAddress { get; set; }

    public Uri? FaultAddress { get; set; }

    public DateTime SentTime { get; set; }

    public DateTime? ExpirationTime { get; set; }

    /// <summary>Headers as a JSON object.</summary>
    public string? Headers { get; set; }

    /// <summary>Transport properties (routing key and the like), as a JSON object.</summary>
    public string? Properties { get; set; }

    public string ContentType { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string Body { get; set; } = "";

    /// <summary>Failed sends that were the message's own fault (its destination or envelope), not a broker outage.</summary>
    public int DeliveryAttempts { get; set; }

    /// <summary>Why the message was set aside (or why the last attempt failed).</summary>
    public string? FailureReason { get; set; }

    long OutboxMessageContext.SequenceNumber => StoreOrder;

    Guid? MessageContext.MessageId => MessageId;

    DateTime? MessageContext.SentTime => SentTime;

    Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;

    HostInfo MessageContext.Host => HostMetadataCache.Host;

    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? NoProperties;

    /// <summary>The position in the store's send order, where the store keeps one.</summary>
    protected virtual long StoreOrder => 0;

    /// <summary>Parses the stored headers and properties; throws when they no longer deserialize.</summary>
    public void Deserialize(IObjectDeserializer deserializer)
    {
        _headers = EmptyHeaders.Instance;
        if (!string.IsNullOrWhiteSpace(Headers) && ReadJson(Headers, deserializer) is { Count: > 0 } headers)
        {
            _headers = new DictionarySendHeaders(headers!);
        }

        _properties = string.IsNullOrWhiteSpace(Properties) ? NoProperties : ReadJson(Properties, deserializer) ?? NoProperties;
    }

    /// <summary>Reads one stored JSON object (headers or properties) the way the store wrote it.</summary>
    protected virtual Dictionary<string, object>? ReadJson(string json, IObjectDeserializer deserializer) =>
        deserializer.DeserializeObject<Dictionary<string, object>>(json);
}
