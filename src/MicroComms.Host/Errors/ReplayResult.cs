namespace MicroComms.Host.Errors;

/// <summary>Outcome of a replay: messages moved back, and per target queue how many.</summary>
public sealed record ReplayResult(int Replayed, IReadOnlyDictionary<string, int> ByTarget)
{
    /// <summary>Messages fetched from the parking queue to find the ones asked for.</summary>
    public uint LookedAt { get; init; }

    /// <summary>The ids of the messages replayed, in queue order.</summary>
    public IReadOnlyList<string> ReplayedIds { get; init; } = [];

    /// <summary>Ids asked for that were not in the queue (already replayed, or never there).</summary>
    public IReadOnlyList<string> NotFound { get; init; } = [];
}
