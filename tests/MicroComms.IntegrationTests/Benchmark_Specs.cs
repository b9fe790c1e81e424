using System.Diagnostics;
using System.Globalization;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests;

/// <summary>
/// Keeps the benchmark from rotting: every scenario runs end to end with a handful of messages. The benchmark runs as
/// the process a person runs (its build output, <c>dotnet MicroComms.Benchmarks.dll ...</c>), so no test project
/// references it; this spec reads what it reports, the markdown table and the charts. In the cluster collection, so
/// the cluster rows run on the cluster formed for the cluster specs instead of forming and stopping one of their own.
/// </summary>
[Collection(Cluster.ClusterCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class Benchmark_Specs(Cluster.ClusterFixture cluster, BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    // One chart per scenario family (ScenarioFamily in the benchmark).
    private static readonly string[] Charts = ["outbox.svg", "request-response.svg", "serialization.svg", "throughput.svg", "workflow.svg"];

    [Fact]
    public async Task Every_benchmark_scenario_runs_with_a_handful_of_messages_and_reports_every_goal()
    {
        Assert.NotNull(broker.Node);
        Assert.NotNull(cluster.Cluster);
        var results = Path.Combine(Path.GetTempPath(), "microcomms-bench-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var scenarios = (await RunBenchmarkAsync("--list")).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(scenarios);

            var run = await RunBenchmarkAsync(
                "--messages", "50", "--warmup", "20", "--rounds", "1", "--duration", "0.2",
                "--orders", "10", "--order-warmup", "5", "--order-window", "4", "--steady-duration", "0.2",
                "--round-timeout", "20", "--results", results);

            var latest = Path.Combine(results, "latest.md");
            Assert.True(File.Exists(latest), "no latest.md; benchmark output:\n" + run);
            var report = await File.ReadAllLinesAsync(latest);
            var rows = TableRows(report, "| Scenario |");
            foreach (var scenario in scenarios)
            {
                Assert.Contains(rows, r => r[0] == scenario && Median(r[3]) > 0);
            }

            var goals = TableRows(report, "| Goal |");
            Assert.NotEmpty(goals);
            Assert.All(goals, g => Assert.NotEqual("-", g[1]));

            var charts = Directory.GetFiles(results, "*.svg", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);
            Assert.Equal(Charts, charts);
        }
        finally
        {
            if (Directory.Exists(results))
            {
                Directory.Delete(results, recursive: true);
            }
        }
    }

    /// <summary>Runs the benchmark built beside this test project (same configuration and framework); returns its output.</summary>
    private static async Task<string> RunBenchmarkAsync(params string[] args)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var benchmark = Path.Combine(RepositoryFolder.Root(), "tests", "MicroComms.Benchmarks", "bin", configuration, framework, "MicroComms.Benchmarks.dll");
        Assert.True(File.Exists(benchmark), $"{benchmark} not found: build the solution first (dotnet build MicroComms.sln -c {configuration}).");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(benchmark);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + benchmark);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the benchmark did not finish within {RunTimeout}:\n{await stdout}\n{await stderr}");
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"the benchmark exited with {process.ExitCode}:\n{output}");
        return output;
    }

    /// <summary>The cells of the markdown table whose header line starts with <paramref name="header"/>.</summary>
    private static List<string[]> TableRows(string[] lines, string header) =>
        [.. lines
            .SkipWhile(l => !l.StartsWith(header, StringComparison.Ordinal))
            .Skip(2)
            .TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray())];

    /// <summary>"1,234 msg/s" or "0.512 ms" as a number.</summary>
    private static double Median(string cell) =>
        double.Parse(cell.Split(' ')[0], NumberStyles.Number, CultureInfo.InvariantCulture);
}
