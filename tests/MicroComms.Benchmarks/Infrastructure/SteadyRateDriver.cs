using System.Diagnostics;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>
/// Starts publishes on a fixed schedule (rate x duration messages) instead of as fast as possible, then waits until
/// all are consumed: latency at a load the stack can carry, not under saturation. At most <c>window</c> publishes are
/// in flight, so a stack that cannot keep up falls behind (visible as a lower held rate) instead of piling up tasks.
/// </summary>
public static class SteadyRateDriver
{
    public static int Messages(int rate, TimeSpan duration) => Math.Max(1, (int)Math.Round(rate * duration.TotalSeconds));

    public static async Task<TimeSpan> RunAsync(
        int rate,
        TimeSpan duration,
        int window,
        ConsumeCounter counter,
        Func<long, CancellationToken, Task> publish,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var messages = Messages(rate, duration);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout + duration);
        var consumed = counter.Expect(messages);
        using var inFlight = new SemaphoreSlim(window);
        var pending = new List<Task>(messages);
        var watch = Stopwatch.StartNew();
        try
        {
            for (long i = 0; i < messages; i++)
            {
                // Due times come from the schedule, not from the last wake-up, so timer slack never lowers the rate.
                var wait = TimeSpan.FromSeconds(i / (double)rate) - watch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cts.Token);
                }

                await inFlight.WaitAsync(cts.Token);
                pending.Add(PublishAsync(i));
            }

            await Task.WhenAll(pending);
            await consumed.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Not every one of {messages} messages at {rate} msg/s was consumed within {timeout} after the last was due.");
        }

        return watch.Elapsed;

        async Task PublishAsync(long i)
        {
            try
            {
                await publish(i, cts.Token);
            }
            finally
            {
                inFlight.Release();
            }
        }
    }
}
