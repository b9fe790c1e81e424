namespace MicroComms.Benchmarks.Scenarios;

/// <summary>Every scenario, in the order they run.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Func<IScenario>> All { get; } =
    [
        () => new LimitScenario(),
        () => new MassTransitDefaultsScenario(),
        () => new MassTransitTunedScenario(),
        () => new MicroCommsScenario(),
        () => new PeerWolverineScenario(),
        () => new RequestResponseScenario(),
        () => new SagaScenario(),
        () => new OutboxScenario(),
        () => new PeerOutboxScenario(new PeerOutbox.PeerOutboxStore.Sqlite()),
        () => new PeerOutboxScenario(new PeerOutbox.PeerOutboxStore.Postgres()),
    ];
}
