namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>Counts consumed messages and signals once a round's target is reached.</summary>
public sealed class ConsumeCounter
{
    private long _count;
    private long _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a round: the returned task completes when <paramref name="target"/> more messages are consumed.</summary>
    public Task Expect(long target)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _count, 0);
        Volatile.Write(ref _target, target);
        return _reached.Task;
    }

    /// <summary>Bytes of the last message body as it came off the wire (envelope included).</summary>
    public long BodyBytes { get; private set; }

    public void Increment(long bodyBytes)
    {
        BodyBytes = bodyBytes;
        Increment();
    }

    public void Increment()
    {
        if (Interlocked.Increment(ref _count) == Volatile.Read(ref _target))
        {
            _reached.TrySetResult();
        }
    }
}
