using System.Collections.Concurrent;
using System.Diagnostics;

namespace MicroComms.Benchmarks.Scenarios.Saga;

/// <summary>
/// The orders in flight, from just before submission to the saga's final event: each submitter waits for its own
/// order's outcome, and the submit-to-finished time of every order is kept. Events for orders not in flight are ignored.
/// </summary>
public sealed class OrderOutcomes
{
    private readonly ConcurrentDictionary<Guid, Pending> _inFlight = new();
    private readonly ConcurrentQueue<long> _latencies = new();

    /// <summary>Orders submitted and not yet finished.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Submit-to-finished times since the last <see cref="Reset"/>, in stopwatch ticks.</summary>
    public IReadOnlyCollection<long> Latencies => _latencies;

    public void Reset() => _latencies.Clear();

    /// <summary>
    /// Called before the order is sent, so that an event overtaking the HTTP answer still finds it. The task completes
    /// with null once the order completed, or with the reason once it faulted.
    /// </summary>
    public Task<string?> Submitting(Guid orderId)
    {
        var pending = new Pending(Stopwatch.GetTimestamp());
        _inFlight[orderId] = pending;
        return pending.Outcome.Task;
    }

    public void Completed(Guid orderId) => Finish(orderId, fault: null);

    public void Faulted(Guid orderId, string reason) => Finish(orderId, reason);

    private void Finish(Guid orderId, string? fault)
    {
        // A redelivered event finds nothing left to remove and is not counted twice.
        if (_inFlight.TryRemove(orderId, out var pending))
        {
            _latencies.Enqueue(Stopwatch.GetTimestamp() - pending.Started);
            pending.Outcome.TrySetResult(fault);
        }
    }

    private sealed record Pending(long Started)
    {
        public TaskCompletionSource<string?> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
