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

    /// <summary>The CPU this process (publisher and consumer) spent per message in a round.</summary>
    public const string CpuMetric = "CPU per message, publisher + consumer";

    /// <summary>
    /// One round of <paramref name="run"/>: its rate, the size of a message on the wire (the envelope's share of the cost),
    /// and the CPU this process spent per message. Publisher and consumer both run here, so that figure moves with what
    /// the stack does per message and far less than msg/s with whatever else runs on the machine; the broker's CPU is
    /// left out, as other work on the machine would be counted with it.
    /// </summary>
    public static async Task<IReadOnlyList<Measurement>> MeasureAsync(
        string scenario, string variant, int messages, ConsumeCounter counter, Func<int, CancellationToken, Task<TimeSpan>> run, CancellationToken cancellationToken)
    {
        var cpu = CpuMeter.Start();
        var elapsed = await run(messages, cancellationToken);
        var (processCpu, _) = cpu.Stop();
        return
        [
            new(scenario, variant, "end to end", "msg/s", messages / elapsed.TotalSeconds, HigherIsBetter: true),
            new(scenario, variant, "body on the wire", "bytes", counter.BodyBytes, HigherIsBetter: false),
            new(scenario, variant, CpuMetric, "ms", processCpu / messages, HigherIsBetter: false),
        ];
    }
}
