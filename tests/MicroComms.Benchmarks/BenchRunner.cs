using MicroComms.Benchmarks.Reporting;
using MicroComms.Benchmarks.Scenarios;
using MicroComms.Testing;

namespace MicroComms.Benchmarks;

/// <summary>Starts the chosen scenarios, each in its own virtual host, measures them round by round, and reports.</summary>
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
        var running = new List<IScenario>();
        var context = new BenchContext(node, settings);
        try
        {
            foreach (var create in ScenarioCatalog.All)
            {
                var scenario = create();
                if (settings.Scenarios.Count > 0 && !settings.Scenarios.Contains(scenario.Name, StringComparer.OrdinalIgnoreCase))
                {
                    await scenario.DisposeAsync();
                    continue;
                }

                running.Add(scenario);
                families[scenario.Name] = scenario.Family;
                output.WriteLine($"{scenario.Name}: {scenario.Description}; starting and warming up");
                await scenario.StartAsync(context, cancellationToken);
            }

            // Rounds are interleaved (every scenario once per round) so that load from elsewhere on the machine falls
            // on all rows alike and the ratios between them stay honest.
            for (var round = 1; round <= settings.Rounds; round++)
            {
                foreach (var scenario in running)
                {
                    var figures = await scenario.MeasureRoundAsync(cancellationToken);
                    measurements.AddRange(figures);
                    output.WriteLine($"  round {round} {scenario.Name}: " + string.Join("; ", figures.Select(f => $"{f.Variant} {f.Metric} {MarkdownReport.Format(f.Value, f.Unit)} {f.Unit}")));
                }
            }
        }
        finally
        {
            try
            {
                foreach (var scenario in running)
                {
                    await scenario.DisposeAsync();
                }

                await context.DeleteVirtualHostsAsync();
            }
            finally
            {
                // Whatever failed above, a private PostgreSQL or cluster must not outlive the run.
                try
                {
                    await context.DeleteDatabasesAsync();
                }
                finally
                {
                    await context.StopClusterAsync();
                }
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

    /// <summary>One chart per family, named after it in kebab case: throughput.svg, request-response.svg, outbox.svg.</summary>
    public static string ChartFile(ScenarioFamily family) =>
        string.Concat(family.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())) + ".svg";

    private static async Task WriteResultsAsync(string directory, DateTimeOffset now, BenchReport report, Dictionary<string, ScenarioFamily> families, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(directory, now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "results.md"), report.Markdown, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "latest.md"), report.Markdown, cancellationToken);
        foreach (var family in families.Values.Distinct())
        {
            var rows = report.Rows.Where(r => families.GetValueOrDefault(r.Scenario) == family).ToList();
            await File.WriteAllTextAsync(Path.Combine(folder, ChartFile(family)), SvgChart.Render($"MicroComms benchmark: {family}", rows), cancellationToken);
        }
    }
}
