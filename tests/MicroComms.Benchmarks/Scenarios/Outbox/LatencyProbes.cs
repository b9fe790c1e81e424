using System.Collections.Concurrent;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>One <see cref="LatencyProbe"/> per event type, so each route of the scenario is measured on its own.</summary>
public sealed class LatencyProbes
{
    private readonly ConcurrentDictionary<Type, LatencyProbe> _probes = new();

    public LatencyProbe Of<TMessage>()
        where TMessage : class, IStampedOrder =>
        _probes.GetOrAdd(typeof(TMessage), _ => new LatencyProbe());
}
