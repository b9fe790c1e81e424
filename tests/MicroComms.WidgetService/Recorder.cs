namespace MicroComms.WidgetService;

/// <summary>What the receiving side saw, shared by every host of a test; tests await conditions on it.</summary>
public sealed class Recorder
{
    private readonly Lock _lock = new();
    private readonly List<object> _messages = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(object message)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _messages.Add(message);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public IReadOnlyList<T> Of<T>()
    {
        lock (_lock)
        {
            return _messages.OfType<T>().ToList();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the recorded messages of type T.</summary>
    public async Task<IReadOnlyList<T>> WaitFor<T>(Func<IReadOnlyList<T>, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var current = _messages.OfType<T>().ToList();
                if (condition(current))
                {
                    return current;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Recorded {typeof(T).Name}s never met the condition; saw {Of<T>().Count}.");
            }
        }
    }
}
