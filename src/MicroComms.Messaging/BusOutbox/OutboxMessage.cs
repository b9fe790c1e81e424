using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// An outgoing message kept until it is on the broker: owned either by a consumer's inbox row
/// (<see cref="InboxMessageId"/> + <see cref="InboxConsumerId"/>) or by a bus-outbox owner (<see cref="OutboxId"/>).
/// Implements MassTransit's <see cref="OutboxMessageContext"/> so <c>OutboxMessageSendPipe</c> restores the envelope.
/// </summary>
internal sealed class OutboxMessage : OutboxMessageContext
{
    private static readonly IReadOnlyDictionary<string, object> NoProperties =
        new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);

    private Headers? _headers;
    private IReadOnlyDictionary<string, object>? _properties;

    /// <summary>Store order; messages of one owner are sent in this order.</summary>
    public long SequenceNumber { get; set; }

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

    /// <summary>Not before this time (a delayed send); the delivery service waits until it is due.</summary>
    public DateTime? EnqueueTime { get; set; }

    public DateTime? ExpirationTime { get; set; }

    public string? Headers { get; set; }

    /// <summary>Transport properties (routing key and the like), as JSON.</summary>
    public string? Properties { get; set; }

    public string ContentType { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string Body { get; set; } = "";

    public Guid? InboxMessageId { get; set; }

    public Guid? InboxConsumerId { get; set; }

    public Guid? OutboxId { get; set; }

    /// <summary>Failed delivery attempts that were the message's own fault (not a broker outage).</summary>
    public int DeliveryAttempts { get; set; }

    /// <summary>Set when the message was set aside after too many failed attempts: it no longer blocks its owner.</summary>
    public DateTime? SetAside { get; set; }

    /// <summary>Why the message was set aside (or why the last attempt failed).</summary>
    public string? FailureReason { get; set; }

    Guid? MessageContext.MessageId => MessageId;

    DateTime? MessageContext.SentTime => SentTime;

    Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;

    HostInfo MessageContext.Host => HostMetadataCache.Host;

    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? NoProperties;

    /// <summary>Parses the stored headers and properties; throws when they no longer deserialize.</summary>
    public void Deserialize(IObjectDeserializer deserializer)
    {
        _headers = EmptyHeaders.Instance;
        if (!string.IsNullOrWhiteSpace(Headers))
        {
            var headers = deserializer.DeserializeObject<Dictionary<string, object?>>(Headers);
            if (headers is { Count: > 0 })
            {
                _headers = new DictionarySendHeaders(headers);
            }
        }

        _properties = string.IsNullOrWhiteSpace(Properties)
            ? NoProperties
            : deserializer.DeserializeObject<Dictionary<string, object>>(Properties) ?? NoProperties;
    }
}
