namespace MicroComms.Benchmarks.Scenarios;

/// <summary>Every scenario, in the order they run. The saga scenario joins this list when it lands.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Func<IScenario>> All { get; } =
    [
        () => new LimitScenario(),
        () => new MassTransitDefaultsScenario(),
        () => new MicroCommsScenario(),
        () => new PeerWolverineScenario(),
        () => new RequestResponseScenario(),
        () => new OutboxScenario(),
    ];
}
