using System.Diagnostics;
using MassTransit;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Tests;

public sealed class Shutdown_Specs
{
    /// <summary>
    /// Regression: MassTransit's StopTimeout alone only cancels a token, so a bus that ignored it (in CI, a receive
    /// endpoint stuck in a RabbitMQ.Client call after a broker restart) held the host's stop for good. Without
    /// MicroComms' bounded bus stop this stop is still waiting when the spec gives up on it.
    /// </summary>
    [Fact]
    public async Task A_bus_that_does_not_stop_no_longer_holds_the_host_stop_past_the_stop_timeout()
    {
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings["MicroComms:StopTimeout"] = "00:00:01";
        var consumer = new StuckConsumer.Gate();
        var errors = new LogCapture(LogLevel.Error, (message, _) => message.Contains("did not stop within", StringComparison.Ordinal));
        using var host = MicroCommsTestHost.Build(
            settings,
            s => s.AddSingleton(consumer).AddLogging(l => l.AddProvider(errors)),
            x => x.AddConsumer<StuckConsumer>());
        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<IBus>().Publish(new StuckConsumer.Hold(Guid.NewGuid()));
            await consumer.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var clock = Stopwatch.StartNew();
            var stop = host.StopAsync();
            var stopped = await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(30))) == stop;

            Assert.True(stopped, $"the host was still stopping after {clock.Elapsed}");
            await stop;
            Assert.Single(errors.Entries);
        }
        finally
        {
            consumer.Release.TrySetResult();
        }
    }

    /// <summary>Consumes until the spec releases it, ignoring cancellation: a bus with it in flight cannot stop.</summary>
    public sealed class StuckConsumer(StuckConsumer.Gate gate) : IConsumer<StuckConsumer.Hold>
    {
        public async Task Consume(ConsumeContext<Hold> context)
        {
            gate.Entered.TrySetResult();
            await gate.Release.Task;
        }

        public sealed record Hold(Guid Id);

        public sealed class Gate
        {
            public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
