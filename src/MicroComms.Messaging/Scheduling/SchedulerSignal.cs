namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// Wakes the dispatcher in this process when the scheduler consumer stores a row, so a short delay is not
/// stretched to the next poll.
/// </summary>
internal sealed class SchedulerSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // The semaphore holds at most one pending wake-up: many rows stored in a burst cost one look at the table.
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread released it first; one pending wake-up is enough.
            }
        }
    }

    public void Dispose() => _signal.Dispose();

    /// <summary>Waits for a wake-up or the timeout; true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);
}
