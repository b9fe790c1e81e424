namespace MicroComms.Benchmarks.Scenarios;

/// <summary>One figure of one round, e.g. (request-response, "http, 16 callers", "p50", "ms", 0.21).</summary>
public sealed record Measurement(string Scenario, string Variant, string Metric, string Unit, double Value, bool HigherIsBetter);
