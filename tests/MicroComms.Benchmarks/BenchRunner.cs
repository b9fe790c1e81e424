using MicroComms.Benchmarks.Reporting;
using MicroComms.Benchmarks.Scenarios;
using MicroComms.IntegrationTests;

namespace MicroComms.Benchmarks;

/// <summary>Runs the chosen scenarios one after another, each in its own virtual host, and reports.</summary>
public static class BenchRunner
{
    public static IReadOnlyList<string> ScenarioNames => [.. ScenarioCatalog.All.Select(create => create().Name)];

    public static async Task<BenchReport> RunAsync(BenchSettings settings, string command, TextWriter output, CancellationToken cancellationToken)
    {
        var unknown = settings.Scenarios.Except(ScenarioNames, StringComparer.OrdinalIgnoreCase).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown scenario(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", ScenarioNames)}.");
        }

        var node = await RabbitMqNode.StartDefaultAsync();
        var machine = await MachineInfo.DescribeAsync(node, cancellationToken);
        output.WriteLine($"Broker {node.Host}:{node.Port}; {machine}");
        var measurements = new List<Measurement>();
        var families = new Dictionary<string, ScenarioFamily>();
        foreach (var create in ScenarioCatalog.All)
        {
            await using var scenario = create();
            if (settings.Scenarios.Count > 0 && !settings.Scenarios.Contains(scenario.Name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            families[scenario.Name] = scenario.Family;
            var context = new BenchContext(node, settings);
            try
            {
                output.WriteLine($"{scenario.Name}: {scenario.Description}; warming up");
                await scenario.StartAsync(context, cancellationToken);
                for (var round = 1; round <= settings.Rounds; round++)
                {
                    var figures = await scenario.MeasureRoundAsync(cancellationToken);
                    measurements.AddRange(figures);
                    output.WriteLine($"  round {round}: " + string.Join("; ", figures.Select(f => $"{f.Variant} {f.Metric} {MarkdownReport.Format(f.Value, f.Unit)} {f.Unit}")));
                }
            }
            finally
            {
                await scenario.DisposeAsync();
                await context.DeleteVirtualHostsAsync();
            }
        }

        var rows = SummaryRow.From(measurements);
        var goals = Goals.Evaluate(rows);
        var now = DateTimeOffset.UtcNow;
        var markdown = MarkdownReport.Render(settings, machine, rows, goals, now, command);
        var report = new BenchReport(machine, rows, goals, markdown);
        if (settings.ResultsDirectory is { } directory)
        {
            await WriteResultsAsync(directory, now, report, families, cancellationToken);
        }

        return report;
    }

    private static async Task WriteResultsAsync(string directory, DateTimeOffset now, BenchReport report, Dictionary<string, ScenarioFamily> families, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(directory, now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "results.md"), report.Markdown, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "latest.md"), report.Markdown, cancellationToken);
        foreach (var family in families.Values.Distinct())
        {
            var rows = report.Rows.Where(r => families.GetValueOrDefault(r.Scenario) == family).ToList();
            var file = family == ScenarioFamily.Throughput ? "throughput.svg" : "request-response.svg";
            await File.WriteAllTextAsync(Path.Combine(folder, file), SvgChart.Render($"MicroComms benchmark: {family}", rows), cancellationToken);
        }
    }
}
