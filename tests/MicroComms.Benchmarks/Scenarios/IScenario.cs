namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// One benchmark scenario: set up in its own fresh virtual host and warmed up once, then measured for several rounds.
/// Add a scenario by writing one class and listing it in <see cref="ScenarioCatalog"/>.
/// </summary>
public interface IScenario : IAsyncDisposable
{
    /// <summary>The name given on the command line and shown in the table.</summary>
    string Name { get; }

    /// <summary>Scenarios of one family share a chart and a unit.</summary>
    ScenarioFamily Family { get; }

    string Description { get; }

    /// <summary>Connects, declares, starts hosts, and sends the warm-up traffic.</summary>
    Task StartAsync(BenchContext context, CancellationToken cancellationToken);

    Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken);
}
