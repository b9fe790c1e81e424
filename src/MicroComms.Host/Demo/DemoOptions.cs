using System.ComponentModel.DataAnnotations;

namespace MicroComms.Host.Demo;

/// <summary>The demo's load, bound from <c>MicroComms:Demo</c> (<c>--orders</c> and friends override it).</summary>
public sealed class DemoOptions
{
    public const string SectionName = "MicroComms:Demo";

    [Range(1, 100_000)]
    public int Orders { get; set; } = 200;

    /// <summary>HTTP requests in flight at once while placing orders and polling.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 16;

    /// <summary>How long, after the last order is placed, every order has to reach a final state.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Seed of the order mix, so two runs place the same kinds of orders.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Every how-many-th order is sent with bad input (400), from an unknown customer (422), and above the payment limit (declined).</summary>
    [Range(2, 1_000)]
    public int SpecialEvery { get; set; } = 10;
}
