using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging.Health;

/// <summary>What <c>/health/ready</c> tolerates, bound from <c>MicroComms:Health</c>.</summary>
internal sealed class HealthOptions
{
    public const string SectionName = "MicroComms:Health";

    /// <summary>
    /// A message due to be sent that still waits in an outbox after this long makes the process Degraded: its
    /// delivery is stuck (broker gone, no delivery service running, every send failing). Longer than a lease
    /// (<c>MicroComms:Outbox:LeaseDuration</c>) plus a pass, so a crashed consumer's rows being taken over do not count.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OutboxStuckAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one check may take before it counts as failed: a probe must answer even when a store hangs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
