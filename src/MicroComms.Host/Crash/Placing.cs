using System.Collections.Concurrent;
using System.Diagnostics;

namespace MicroComms.Host.Crash;

/// <summary>Progress of the placing clients, shared with the fault schedule.</summary>
internal sealed class Placing(int total, TimeSpan answerBound)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _started;
    private int _overBound;
    private readonly ConcurrentQueue<TimeSpan> _answers = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, int Status)> _history = new();
    private long _slowestTicks;

    public int Total { get; } = total;

    /// <summary>From the first order's moment to the last order's answer.</summary>
    public TimeSpan PlacingTime { get; set; }

    public TimeSpan MedianAnswer => _answers.IsEmpty ? TimeSpan.Zero : _answers.Order().ElementAt(_answers.Count / 2);

    public int StartedCount => Volatile.Read(ref _started);

    public TimeSpan Elapsed => _clock.Elapsed;

    public TimeSpan SlowestAnswer => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

    /// <summary>Answers that took longer than the Gateway's bound, as the client measured them (its own queueing included).</summary>
    public int AnswersOverBound => Volatile.Read(ref _overBound);

    public void Started() => Interlocked.Increment(ref _started);

    /// <summary>An order number at a random point of <paramref name="window"/> (fractions of all orders).</summary>
    public int At((double From, double To) window, Random random) =>
        (int)(Total * (window.From + (random.NextDouble() * (window.To - window.From))));

    /// <summary>Every answer's moment and HTTP status (0: none), for what the Gateway said during a broker fault.</summary>
    public IReadOnlyCollection<(DateTimeOffset At, int Status)> History => _history;

    public void Answered(TimeSpan took, int status)
    {
        _history.Enqueue((DateTimeOffset.UtcNow, status));
        _answers.Enqueue(took);
        if (took > answerBound)
        {
            Interlocked.Increment(ref _overBound);
        }

        long current;
        while ((current = Interlocked.Read(ref _slowestTicks)) < took.Ticks && Interlocked.CompareExchange(ref _slowestTicks, took.Ticks, current) != current)
        {
        }
    }

    public async Task WaitForStartedAsync(int count, CancellationToken ct)
    {
        while (StartedCount < Math.Min(count, Total))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }
}
