namespace MicroComms.Benchmarks.Reporting;

/// <summary>One goal of issue 6 as a ratio of two figures from the same run.</summary>
public sealed record Goal(string Name, string Numerator, string Denominator, double? Ratio, string Condition, bool? Met);
