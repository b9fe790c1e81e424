using RabbitMQ.Client;
using Wolverine;
using Wolverine.RabbitMQ.Internal;

namespace MicroComms.Benchmarks.Scenarios.PeerOutbox;

/// <summary>
/// Wolverine's own RabbitMQ mapping, plus delivery mode 2 (persistent). Wolverine marks a message persistent only when
/// its sending endpoint is durable, i.e. goes through the outbox; the driver's commands to the relay handler are sent
/// inline instead (many in flight, as every other driver publishes), yet must be as durable on the broker as the rest.
/// </summary>
internal sealed class PersistentRabbitMqMapper(IRabbitMqEnvelopeMapper inner) : IRabbitMqEnvelopeMapper
{
    public void MapEnvelopeToOutgoing(Envelope envelope, IBasicProperties outgoing)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        inner.MapEnvelopeToOutgoing(envelope, outgoing);
        outgoing.Persistent = true;
    }

    public void MapIncomingToEnvelope(Envelope envelope, IReadOnlyBasicProperties incoming) => inner.MapIncomingToEnvelope(envelope, incoming);
}
