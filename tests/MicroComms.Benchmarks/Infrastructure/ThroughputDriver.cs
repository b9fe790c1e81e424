using System.Diagnostics;
using MicroComms.Benchmarks.Scenarios;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>
/// Publishes N messages with a fixed number in flight and waits until all are consumed: the same loop for every
/// throughput scenario, so rows differ only by the stack under test.
/// </summary>
public static class ThroughputDriver
{
    public static async Task<TimeSpan> RunAsync(
        int messages,
        int window,
        ConsumeCounter counter,
        Func<long, CancellationToken, Task> publish,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var consumed = counter.Expect(messages);
        var next = -1L;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Math.Min(window, messages)).Select(async _ =>
        {
            long i;
            while ((i = Interlocked.Increment(ref next)) < messages)
            {
                await publish(i, cts.Token);
            }
        });
        await Task.WhenAll(workers);
        try
        {
            await consumed.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Not every one of {messages} messages was consumed within {timeout}.");
        }

        return watch.Elapsed;
    }

    /// <summary>The round's rate, and the size of a message on the wire (the envelope's share of the cost).</summary>
    public static IReadOnlyList<Measurement> Rate(string scenario, string variant, int messages, TimeSpan elapsed, ConsumeCounter counter) =>
    [
        new(scenario, variant, "end to end", "msg/s", messages / elapsed.TotalSeconds, HigherIsBetter: true),
        new(scenario, variant, "body on the wire", "bytes", counter.BodyBytes, HigherIsBetter: false),
    ];
}
