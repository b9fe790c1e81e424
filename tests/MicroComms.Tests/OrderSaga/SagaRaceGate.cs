using System.Collections.Concurrent;
using MassTransit;
using MicroComms.Orders.Saga;

namespace MicroComms.Tests.OrderSaga;

/// <summary>
/// Makes copies of one event race for the saga row for certain: each copy, once it has loaded the saga (or created it)
/// and before its activities run, waits until all the copies have loaded it, so all of them act on the same version
/// and all but one must lose at the commit. Bounded: a copy that never arrives holds the others a few seconds at most.
/// </summary>
internal sealed class SagaRaceGate : IEventObserver<OrderState>
{
    private readonly ConcurrentDictionary<Type, Arrivals> _held = new();

    /// <summary>Holds the next <paramref name="copies"/> executions of the event carrying <typeparamref name="T"/>.</summary>
    public void HoldUntilLoaded<T>(int copies) => _held[typeof(T)] = new Arrivals(copies);

    public async Task PreExecute<T>(BehaviorContext<OrderState, T> context)
        where T : class
    {
        if (_held.TryGetValue(typeof(T), out var arrivals))
        {
            await arrivals.ArriveAsync();
        }
    }

    public Task PreExecute(BehaviorContext<OrderState> context) => Task.CompletedTask;

    public Task PostExecute(BehaviorContext<OrderState> context) => Task.CompletedTask;

    public Task PostExecute<T>(BehaviorContext<OrderState, T> context)
        where T : class => Task.CompletedTask;

    public Task ExecuteFault(BehaviorContext<OrderState> context, Exception exception) => Task.CompletedTask;

    public Task ExecuteFault<T>(BehaviorContext<OrderState, T> context, Exception exception)
        where T : class => Task.CompletedTask;

    private sealed class Arrivals(int expected)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public async Task ArriveAsync()
        {
            // Later arrivals (the losers' retries) find the gate open.
            if (Interlocked.Increment(ref _arrived) >= expected)
            {
                _all.TrySetResult();
            }

            try
            {
                await _all.Task.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                // The spec's race count says whether the copies raced anyway.
            }
        }
    }
}
