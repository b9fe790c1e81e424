namespace MicroComms.Benchmarks.Scenarios;

/// <summary>Every scenario, in the order they run. The outbox and saga scenarios join this list when they land.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Func<IScenario>> All { get; } =
    [
        () => new LimitScenario(),
        () => new MassTransitDefaultsScenario(),
        () => new MicroCommsScenario(),
        () => new PeerWolverineScenario(),
        () => new RequestResponseScenario(),
    ];
}
