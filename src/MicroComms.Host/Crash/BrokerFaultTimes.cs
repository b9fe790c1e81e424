namespace MicroComms.Host.Crash;

/// <summary>When the broker fault of a run happened, for the checks afterwards (recovery time, answers while it lasted).</summary>
internal sealed class BrokerFaultTimes
{
    /// <summary>When the node was killed (kill-leader).</summary>
    public DateTimeOffset? KilledAt { get; set; }

    /// <summary>From the moment the first node was stopped until every node was back (no-majority, rolling restart).</summary>
    public (DateTimeOffset From, DateTimeOffset To)? Window { get; set; }
}
