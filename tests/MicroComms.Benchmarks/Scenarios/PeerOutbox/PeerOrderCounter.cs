using MicroComms.Benchmarks.Scenarios.Outbox;
using Wolverine;

namespace MicroComms.Benchmarks.Scenarios.PeerOutbox;

/// <summary>The downstream handler of both Wolverine routes: records commit-to-consume latency and counts, like <see cref="StampedOrderConsumer{TMessage}"/>.</summary>
public sealed class PeerOrderCounter(LatencyProbes probes)
{
    public void Handle(PeerBusOrderPlaced message, Envelope envelope) => Record(message, envelope);

    public void Handle(PeerRelayedOrderPlaced message, Envelope envelope) => Record(message, envelope);

    private void Record<TMessage>(TMessage message, Envelope envelope)
        where TMessage : class, IStampedOrder
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(envelope);
        probes.Of<TMessage>().Record(message.CommittedAt, envelope.Data?.Length ?? 0);
    }
}
