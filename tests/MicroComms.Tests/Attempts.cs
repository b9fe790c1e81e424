using System.Collections.Concurrent;
using MassTransit;

namespace MicroComms.Tests;

/// <summary>What a test consumer saw: each attempt with its time and redelivery count, and signals to await.</summary>
public sealed class Attempts
{
    private readonly ConcurrentQueue<Attempt> _all = new();

    public TaskCompletionSource Succeeded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<Fault> Faulted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _faultCount;

    public int FaultCount => Volatile.Read(ref _faultCount);

    public IReadOnlyList<Attempt> All => [.. _all];

    public int Record(ConsumeContext context)
    {
        _all.Enqueue(new Attempt(DateTimeOffset.UtcNow, context.GetRedeliveryCount(), context.GetRetryAttempt()));
        return _all.Count;
    }

    public void RecordFault(Fault fault)
    {
        Interlocked.Increment(ref _faultCount);
        Faulted.TrySetResult(fault);
    }

    public sealed record Attempt(DateTimeOffset At, int RedeliveryCount, int RetryAttempt);
}
