using System.Collections.Concurrent;
using MassTransit;

namespace MicroComms.WidgetService;

/// <summary>Counts completed receives per queue and consume faults, so tests wait on the bus instead of sleeping.</summary>
public sealed class BusCounters : IReceiveObserver, IConsumeObserver
{
    private readonly ConcurrentDictionary<string, int> _received = new();
    private int _consumeFaults;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int ConsumeFaults => Volatile.Read(ref _consumeFaults);

    public int Received(string queue) => _received.TryGetValue(queue, out var n) ? n : 0;

    public async Task WaitForReceived(string queue, int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (Received(queue) < count)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (Received(queue) >= count)
            {
                break;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Queue {queue} completed {Received(queue)} receives, expected {count}.");
            }
        }
    }

    public Task PostReceive(ReceiveContext context)
    {
        var queue = context.InputAddress.AbsolutePath.Split('/').Last();
        _received.AddOrUpdate(queue, 1, (_, n) => n + 1);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class
    {
        Interlocked.Increment(ref _consumeFaults);
        return Task.CompletedTask;
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception) => PostReceive(context);

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;
}
