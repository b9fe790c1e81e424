namespace MicroComms.Host.Crash;

/// <summary>When the broker fault of a run happened, for the checks afterwards (recovery time, answers while it lasted).</summary>
internal sealed class BrokerFaultTimes
{
    /// <summary>Where recovery is measured from: the kill (kill-leader), or the moment the killed majority is started again (no-majority).</summary>
    public DateTimeOffset? RecoveryFrom { get; set; }

    /// <summary>From the moment the first node went until every node was back (no-majority, rolling restart).</summary>
    public (DateTimeOffset From, DateTimeOffset To)? Window { get; set; }
}
