namespace MicroComms.Host.Demo;

/// <summary>Where one demo order ended, and how long it took from acceptance to its final state (server clock).</summary>
public sealed class DemoResult(DemoOrder order)
{
    public DemoOrder Order { get; } = order;

    public DemoOutcome Outcome { get; set; } = DemoOutcome.Pending;

    public TimeSpan? TimeToFinal { get; set; }

    public string? Detail { get; set; }
}
