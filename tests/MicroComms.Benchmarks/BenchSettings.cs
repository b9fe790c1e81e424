namespace MicroComms.Benchmarks;

/// <summary>What one benchmark run measures; every figure comes from the command line (see Program.cs).</summary>
public sealed record BenchSettings
{
    /// <summary>Scenario names to run; empty runs them all.</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>Messages per measured round of a throughput scenario.</summary>
    public int Messages { get; init; } = 20_000;

    /// <summary>Messages or requests sent before measuring: a short warm-up leaves start-up and JIT in the first round.</summary>
    public int Warmup { get; init; } = 5_000;

    /// <summary>Measuring time per variant and caller count of a latency scenario.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(3);

    public int Rounds { get; init; } = 3;

    /// <summary>Messages per second of the outbox scenario's steady-rate run (latency at a load the outbox carries).</summary>
    public int SteadyRate { get; init; } = 500;

    /// <summary>How long each steady-rate run publishes.</summary>
    public TimeSpan SteadyDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Publishes in flight at once in every throughput scenario (a loop that awaits each confirm measures the round trip, not the bus).</summary>
    public int PublishWindow { get; init; } = 100;

    /// <summary>Orders per measured round of the saga scenario (each a whole workflow across five services).</summary>
    public int Orders { get; init; } = 1_000;

    /// <summary>
    /// Orders before measuring the saga scenario: start-up (schema, connections, JIT) stays out of the rounds, including
    /// the five hosts' code tiering up, which outlasts a short warm-up.
    /// </summary>
    public int OrderWarmup { get; init; } = 500;

    /// <summary>Order workflows in flight at once in the saga scenario (a submitter waits for its order to complete).</summary>
    public int OrderWindow { get; init; } = 16;

    /// <summary>
    /// How long a round may take before it is reported as stuck instead of hanging the run; generous, because an outbox
    /// round at the default size takes minutes on a busy small machine.
    /// </summary>
    public TimeSpan RoundTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Where the markdown table and SVG charts go; null writes nothing.</summary>
    public string? ResultsDirectory { get; init; } = "results";
}
