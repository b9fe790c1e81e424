using System.Collections.Concurrent;
using MassTransit;
using MicroComms.Messaging.Scheduling;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.IntegrationTests;

[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class Scheduling_Specs(BrokerFixture broker, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_scheduled_send_over_RabbitMQ_arrives_at_its_due_time_and_not_before()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("schedule");
        try
        {
            var journal = new Journal();
            using var host = MicroCommsTestHost.Build(
                BrokerHosts.Settings(broker.Node, vhost, MicroCommsTestHost.TempDatabase()),
                s => s.AddSingleton(journal),
                x => x.AddConsumer<WakeUpConsumer>());
            await host.StartAsync();

            var due = DateTime.UtcNow.AddSeconds(1.5);
            await using (var scope = host.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<IMessageScheduler>()
                    .ScheduleSend(new Uri("queue:wake-up"), due, new WakeUp("ring"));
            }

            var first = await journal.First.Task.WaitAsync(Timeout);
            Assert.Equal("ring", first.Text);
            Assert.True(first.At >= due, $"arrived {(due - first.At).TotalMilliseconds} ms early");
            output.WriteLine($"arrived {(first.At - due).TotalMilliseconds:F0} ms after its due time");
            await host.StopAsync();
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_delayed_redelivery_waiting_in_the_scheduler_survives_a_host_restart()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("restart");
        try
        {
            var database = MicroCommsTestHost.TempDatabase();
            var settings = BrokerHosts.Settings(broker.Node, vhost, database);
            settings["MicroComms:Retry:ImmediateLimit"] = "0";
            settings["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:03";
            settings["MicroComms:Retry:RedeliveryIntervals:1"] = "00:00:03";
            var journal = new Journal { FailFirstAttempt = true };

            // Stopped but disposed only at the end: MassTransit keeps the first host's logger factory in its
            // ambient log context, which a second host built in this flow would otherwise find disposed.
            using var first = MicroCommsTestHost.Build(settings, s => s.AddSingleton(journal), x => x.AddConsumer<WakeUpConsumer>());
            await first.StartAsync();
            await first.Services.GetRequiredService<IBus>().Publish(new WakeUp("persist"));
            await WaitForScheduledRowAsync(first);
            await first.StopAsync();
            Assert.Single(journal.All);

            using var second = MicroCommsTestHost.Build(settings, s => s.AddSingleton(journal), x => x.AddConsumer<WakeUpConsumer>());
            await second.StartAsync();
            var redelivered = await journal.Succeeded.Task.WaitAsync(Timeout);
            await second.StopAsync();

            var failed = journal.All[0];
            Assert.Equal(0, failed.Redelivery);
            Assert.Equal(1, redelivered.Redelivery);
            Assert.True(redelivered.At - failed.At >= TimeSpan.FromSeconds(3), $"redelivered after {redelivered.At - failed.At}");
            Assert.Equal(2, journal.All.Count);
            output.WriteLine($"redelivered {(redelivered.At - failed.At).TotalMilliseconds:F0} ms after the failure (interval 3000 ms, host restarted in between)");
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    private static async Task WaitForScheduledRowAsync(IHost host)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();
            if (await db.ScheduledMessages.AnyAsync(deadline.Token))
            {
                return;
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    public sealed record WakeUp(string Text);

    public sealed record Seen(string Text, DateTime At, int Redelivery);

    public sealed class Journal
    {
        private readonly ConcurrentQueue<Seen> _all = new();

        public bool FailFirstAttempt { get; init; }

        public TaskCompletionSource<Seen> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Seen> Succeeded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<Seen> All => [.. _all];

        public bool Add(Seen seen)
        {
            _all.Enqueue(seen);
            First.TrySetResult(seen);
            if (FailFirstAttempt && _all.Count == 1)
            {
                return false;
            }

            Succeeded.TrySetResult(seen);
            return true;
        }
    }

    public sealed class WakeUpConsumer(Journal journal) : IConsumer<WakeUp>
    {
        public Task Consume(ConsumeContext<WakeUp> context)
        {
            if (!journal.Add(new Seen(context.Message.Text, DateTime.UtcNow, context.GetRedeliveryCount())))
            {
                throw new InvalidOperationException("first attempt fails");
            }

            return Task.CompletedTask;
        }
    }
}
