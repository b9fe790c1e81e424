using System.Collections.Concurrent;
using System.Diagnostics;

namespace MicroComms.Benchmarks.Scenarios.Saga;

/// <summary>
/// The orders of one round, from submission to the saga's final event: signals when every one has finished and keeps
/// each order's submit-to-completed time. Events for orders of no current round are ignored.
/// </summary>
public sealed class OrderOutcomes
{
    private readonly ConcurrentDictionary<Guid, long> _submitted = new();
    private readonly ConcurrentQueue<long> _latencies = new();
    private readonly ConcurrentQueue<string> _faults = new();
    private int _remaining;
    private TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Orders of the current round still without a final event.</summary>
    public int Pending => Volatile.Read(ref _remaining);

    /// <summary>Latencies of the current round in stopwatch ticks.</summary>
    public IReadOnlyCollection<long> Latencies => _latencies;

    /// <summary>Reasons of the round's faulted orders.</summary>
    public IReadOnlyCollection<string> Faults => _faults;

    /// <summary>Starts a round: the returned task completes once <paramref name="orders"/> submitted orders have finished.</summary>
    public Task Expect(int orders)
    {
        _submitted.Clear();
        _latencies.Clear();
        _faults.Clear();
        _finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _remaining, orders);
        return _finished.Task;
    }

    /// <summary>Called before the order is sent, so an event that overtakes the HTTP answer still finds it.</summary>
    public void Submitting(Guid orderId) => _submitted[orderId] = Stopwatch.GetTimestamp();

    public void Completed(Guid orderId) => Finish(orderId, fault: null);

    public void Faulted(Guid orderId, string reason) => Finish(orderId, reason);

    private void Finish(Guid orderId, string? fault)
    {
        // A redelivered event finds nothing left to remove and is not counted twice.
        if (!_submitted.TryRemove(orderId, out var start))
        {
            return;
        }

        _latencies.Enqueue(Stopwatch.GetTimestamp() - start);
        if (fault is not null)
        {
            _faults.Enqueue($"{orderId}: {fault}");
        }

        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _finished.TrySetResult();
        }
    }
}
