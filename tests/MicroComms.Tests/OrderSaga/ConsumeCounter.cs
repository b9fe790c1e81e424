using System.Collections.Concurrent;
using MassTransit;

namespace MicroComms.Tests.OrderSaga;

/// <summary>Counts messages consumed to the end (after any retries), by message type, and messages that faulted once no retry was left.</summary>
internal sealed class ConsumeCounter : IConsumeObserver
{
    private readonly ConcurrentDictionary<Type, OrdersProcess.Signal> _consumed = new();

    public int Faults => _faults;

    private int _faults;

    public OrdersProcess.Signal Consumed<T>() => _consumed.GetOrAdd(typeof(T), _ => new OrdersProcess.Signal());

    /// <summary>
    /// Hands the rest of the delivery to the thread pool. The in-memory transport starts a delivery on the thread that
    /// queued it, and SQLite's "async" calls complete synchronously, so without a yield each message runs to the end
    /// before the next one starts and messages for one saga never race, as they do on RabbitMQ.
    /// </summary>
    public async Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => await Task.Yield();

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        _consumed.GetOrAdd(typeof(T), _ => new OrdersProcess.Signal()).Add();
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class
    {
        Interlocked.Increment(ref _faults);
        return Task.CompletedTask;
    }
}
