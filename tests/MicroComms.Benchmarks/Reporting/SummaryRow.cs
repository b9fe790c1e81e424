namespace MicroComms.Benchmarks.Reporting;

/// <summary>The rounds of one figure folded into median and spread.</summary>
public sealed record SummaryRow(string Scenario, string Variant, string Metric, string Unit, bool HigherIsBetter, double Median, double Min, double Max, int Rounds)
{
    public static IReadOnlyList<SummaryRow> From(IEnumerable<Scenarios.Measurement> measurements) =>
        [.. measurements
            .GroupBy(m => (m.Scenario, m.Variant, m.Metric, m.Unit, m.HigherIsBetter))
            .Select(g =>
            {
                var values = g.Select(m => m.Value).Order().ToArray();
                var median = values.Length % 2 == 1
                    ? values[values.Length / 2]
                    : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
                return new SummaryRow(g.Key.Scenario, g.Key.Variant, g.Key.Metric, g.Key.Unit, g.Key.HigherIsBetter, median, values[0], values[^1], values.Length);
            })];
}
