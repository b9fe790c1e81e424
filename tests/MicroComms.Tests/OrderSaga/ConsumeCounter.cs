using System.Collections.Concurrent;
using MassTransit;

namespace MicroComms.Tests.OrderSaga;

/// <summary>Counts messages consumed to the end (after any retries) and consume attempts that faulted, by message type.</summary>
internal sealed class ConsumeCounter : IConsumeObserver
{
    private readonly ConcurrentDictionary<Type, OrdersProcess.Signal> consumed = new();

    public int Faults => faults;

    private int faults;

    public OrdersProcess.Signal Consumed<T>() => consumed.GetOrAdd(typeof(T), _ => new OrdersProcess.Signal());

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        consumed.GetOrAdd(typeof(T), _ => new OrdersProcess.Signal()).Add();
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class
    {
        Interlocked.Increment(ref faults);
        return Task.CompletedTask;
    }
}
