using System.Diagnostics;
using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>
/// Counts one route's consumed messages (for the drivers) and keeps the commit-to-consume latency of each message of
/// the round, for percentiles.
/// </summary>
public sealed class LatencyProbe
{
    private long[] _latencies = [];
    private int _recorded;

    public ConsumeCounter Counter { get; } = new();

    /// <summary>Forgets the previous round; call before a driver expects <paramref name="messages"/> on <see cref="Counter"/>.</summary>
    public void Reset(int messages)
    {
        _latencies = new long[messages];
        Volatile.Write(ref _recorded, 0);
    }

    public void Record(long committedAt, long bodyBytes)
    {
        var latency = Stopwatch.GetTimestamp() - committedAt;
        var slot = Interlocked.Increment(ref _recorded) - 1;
        var latencies = _latencies;
        if (slot < latencies.Length)
        {
            latencies[slot] = latency;
        }

        Counter.Increment(bodyBytes);
    }

    /// <summary>Latency in milliseconds at each of <paramref name="percentiles"/> over the messages of this round.</summary>
    public IReadOnlyList<double> Percentiles(params double[] percentiles)
    {
        var sorted = _latencies.AsSpan(0, Math.Min(Volatile.Read(ref _recorded), _latencies.Length)).ToArray();
        Array.Sort(sorted);
        return [.. percentiles.Select(p => sorted.Length == 0
            ? 0
            : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency)];
    }
}
