extern alias bench;

using bench::MicroComms.Benchmarks;
using bench::MicroComms.Benchmarks.Scenarios;

namespace MicroComms.IntegrationTests;

/// <summary>Keeps the benchmark from rotting: every scenario runs end to end with a handful of messages.</summary>
[Collection(BrokerCollection.Name)]
public sealed class Benchmark_Specs(BrokerFixture broker)
{
    [Fact]
    public async Task Every_benchmark_scenario_runs_with_a_handful_of_messages_and_reports_every_goal()
    {
        Assert.NotNull(broker.Node);
        var results = Path.Combine(Path.GetTempPath(), "microcomms-bench-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new BenchSettings
        {
            Messages = 50,
            Warmup = 20,
            Rounds = 1,
            Duration = TimeSpan.FromMilliseconds(200),
            Orders = 10,
            OrderWarmup = 5,
            OrderWindow = 4,
            SteadyDuration = TimeSpan.FromMilliseconds(200),
            RoundTimeout = TimeSpan.FromSeconds(20),
            ResultsDirectory = results,
        };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var report = await BenchRunner.RunAsync(settings, "smoke", TextWriter.Null, timeout.Token);

            foreach (var scenario in BenchRunner.ScenarioNames)
            {
                Assert.Contains(report.Rows, r => r.Scenario == scenario && r.Median > 0);
            }

            Assert.All(report.Goals, g => Assert.NotNull(g.Ratio));
            Assert.True(File.Exists(Path.Combine(results, "latest.md")));
            var charts = Directory.GetFiles(results, "*.svg", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order().ToList();
            Assert.Equal(Enum.GetValues<ScenarioFamily>().Select(BenchRunner.ChartFile).Order().ToList(), charts);
        }
        finally
        {
            if (Directory.Exists(results))
            {
                Directory.Delete(results, recursive: true);
            }
        }
    }
}
