using MassTransit;
using MassTransit.Metadata;

namespace MicroComms.Benchmarks.Scenarios.FreeEnvelope;

/// <summary>
/// What a free envelope says about its message: the id from the body; headers are the transport's (the AMQP headers
/// MassTransit's RabbitMQ transport writes from the send context), so a redelivery count still survives a round trip.
/// </summary>
internal sealed class FreeEnvelopeMessageContext(Guid messageId, Headers transportHeaders, Uri? destinationAddress) : MessageContext
{
    public Guid? MessageId => messageId;

    public Guid? RequestId => null;

    public Guid? CorrelationId => null;

    public Guid? ConversationId => null;

    public Guid? InitiatorId => null;

    public DateTime? ExpirationTime => null;

    public Uri? SourceAddress => null;

    public Uri? DestinationAddress => destinationAddress;

    public Uri? ResponseAddress => null;

    public Uri? FaultAddress => null;

    public DateTime? SentTime => null;

    public Headers Headers => transportHeaders;

    public HostInfo Host => HostMetadataCache.Empty;
}
