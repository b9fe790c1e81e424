using System.Diagnostics;
using MicroComms.Benchmarks.Scenarios;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>N callers each sending one request after another for a fixed time; every latency is kept for percentiles.</summary>
public static class LatencyDriver
{
    public static async Task WarmUpAsync(int requests, int callers, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var left = requests;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
            {
                await call(cancellationToken);
            }
        }));
    }

    public static async Task<IReadOnlyList<Measurement>> MeasureAsync(
        string scenario,
        string variant,
        int callers,
        TimeSpan duration,
        Func<CancellationToken, Task> call,
        CancellationToken cancellationToken)
    {
        var latencies = new List<long>[callers];
        var watch = Stopwatch.StartNew();
        var stopAt = duration.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
        {
            var mine = latencies[c] = new List<long>(capacity: 64 * 1024);
            while (watch.ElapsedTicks < stopAt)
            {
                var start = Stopwatch.GetTimestamp();
                await call(cancellationToken);
                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }));
        var elapsed = watch.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var label = $"{variant}, {callers} caller{(callers == 1 ? "" : "s")}";
        return
        [
            new(scenario, label, "p50", "ms", Milliseconds(Percentile(all, 0.50)), HigherIsBetter: false),
            new(scenario, label, "p99", "ms", Milliseconds(Percentile(all, 0.99)), HigherIsBetter: false),
            new(scenario, label, "throughput", "req/s", all.Length / elapsed.TotalSeconds, HigherIsBetter: true),
        ];
    }

    internal static long Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    internal static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
