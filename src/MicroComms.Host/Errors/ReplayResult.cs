namespace MicroComms.Host.Errors;

/// <summary>Outcome of a replay: messages moved back, and per target queue how many.</summary>
public sealed record ReplayResult(int Replayed, IReadOnlyDictionary<string, int> ByTarget);
