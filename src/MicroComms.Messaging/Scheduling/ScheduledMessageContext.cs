using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace MicroComms.Messaging.Scheduling;

/// <summary>A stored row seen as the envelope MassTransit's <see cref="OutboxMessageSendPipe"/> restores.</summary>
internal sealed class ScheduledMessageContext : OutboxMessageContext
{
    private readonly ScheduledMessageRow _row;

    public ScheduledMessageContext(ScheduledMessageRow row)
    {
        _row = row;
        Headers = new DictionarySendHeaders(HeaderJson.Deserialize(row.Headers)!);
        Properties = HeaderJson.Deserialize(row.Properties);
    }

    public long SequenceNumber => 0;

    public Guid MessageId => _row.MessageId;

    Guid? MessageContext.MessageId => _row.MessageId;

    public string ContentType => _row.ContentType;

    public string MessageType => _row.MessageType;

    public string Body => _row.Body;

    public IReadOnlyDictionary<string, object> Properties { get; }

    public Guid? RequestId => _row.RequestId;

    public Guid? CorrelationId => _row.CorrelationId;

    public Guid? ConversationId => _row.ConversationId;

    public Guid? InitiatorId => _row.InitiatorId;

    public DateTime? ExpirationTime => _row.ExpirationTime;

    public Uri? SourceAddress => ToUri(_row.SourceAddress);

    public Uri DestinationAddress => new(_row.Destination);

    public Uri? ResponseAddress => ToUri(_row.ResponseAddress);

    public Uri? FaultAddress => ToUri(_row.FaultAddress);

    public DateTime? SentTime => DateTimeOffset.FromUnixTimeMilliseconds(_row.CreatedAt).UtcDateTime;

    public Headers Headers { get; }

    public HostInfo Host => MassTransit.Metadata.HostMetadataCache.Host;

    private static Uri? ToUri(string? value) => string.IsNullOrEmpty(value) ? null : new Uri(value);
}
