using MassTransit.Middleware.Outbox;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// Wakes the delivery service after a bus-outbox commit. Unlike a plain cancellation, the signal is remembered when
/// nobody waits yet, so a commit that lands while a pass runs is picked up at once, not after the poll interval.
/// </summary>
internal sealed class OutboxDeliverySignal(TimeSpan queryDelay) : IBusOutboxNotification, IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public async Task WaitForDelivery(CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(queryDelay, cancellationToken);
    }

    public void Delivered()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers every commit before it.
        }
    }

    public void Dispose() => _signal.Dispose();
}
