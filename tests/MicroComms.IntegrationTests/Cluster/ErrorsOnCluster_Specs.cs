using MassTransit;
using MicroComms.Host.Errors;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests.Cluster;

[Trait("Needs", "Broker")]
[Collection(ClusterCollection.Name)]
public sealed class ErrorsOnCluster_Specs(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task With_the_first_node_of_the_list_killed_errors_list_show_and_replay_work_through_the_others()
    {
        var cluster = fixture.Cluster;
        var vhost = await cluster.CreateVirtualHostAsync("errors-cluster", defaultQueueType: "quorum");
        var killed = false;
        try
        {
            var settings = BrokerHosts.Settings(cluster, vhost, MicroCommsTestHost.TempDatabase());
            settings["MicroComms:RabbitMq:QueueType"] = "Quorum";
            settings["MicroComms:Retry:ImmediateLimit"] = "0";
            settings["MicroComms:Retry:DelayedRedelivery"] = "false";
            using (var host = MicroCommsTestHost.Build(settings, _ => { }, x => x.AddConsumer<RefusingConsumer>()))
            {
                await host.StartAsync();
                var bus = host.Services.GetRequiredService<IBus>();
                for (var i = 0; i < 3; i++)
                {
                    await bus.Publish(new RefusedWork(i));
                }

                await Poll.Until(async () => await cluster.MessageCountAsync(vhost, "refusing_error") == 3, Timeout);
                await host.StopAsync();
            }

            // The host connected to the first node, so that node leads the queues: the others must elect new leaders too.
            await cluster.KillNodeAsync(0);
            killed = true;

            // Until the survivors have elected new leaders (a second or two), a queue the dead node led reports 0 messages.
            // The survivors may also refuse a connection for a moment while they notice the loss; that is not the answer.
            var election = System.Diagnostics.Stopwatch.StartNew();
            await Poll.Until(
                async () =>
                {
                    try
                    {
                        return await cluster.MessageCountAsync(vhost, "refusing_error") == 3;
                    }
                    catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException)
                    {
                        return false;
                    }
                },
                Timeout);
            output.WriteLine($"refusing_error counted its 3 messages again {election.Elapsed.TotalSeconds:0.0} s after the kill");

            var list = await ErrorsCli.RunAsync(settings, "errors", "list");
            output.WriteLine(list.Output + list.Error);
            Assert.Equal(ExitCodes.Ok, list.ExitCode);
            Assert.Matches(@"refusing_error\s*│\s*3\s", list.Output);

            var show = await ErrorsCli.RunAsync(settings, "errors", "show", "refusing_error");
            output.WriteLine(show.Output + show.Error);
            Assert.Equal(ExitCodes.Ok, show.ExitCode);
            Assert.Contains("InvalidOperationException", show.Output, StringComparison.Ordinal);

            var replay = await ErrorsCli.RunAsync(settings, "errors", "replay", "refusing_error", "--all");
            output.WriteLine(replay.Output + replay.Error);
            Assert.Equal(ExitCodes.Ok, replay.ExitCode);
            Assert.Contains("Replayed 3 message(s) from 'refusing_error': 3 to 'refusing'", replay.Output, StringComparison.Ordinal);
            Assert.Equal(3u, await cluster.MessageCountAsync(vhost, "refusing"));
            Assert.Equal(0u, await cluster.MessageCountAsync(vhost, "refusing_error"));
        }
        finally
        {
            if (killed)
            {
                await cluster.StartNodeAsync(0);
            }

            await cluster.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_service_whose_first_node_is_dead_starts_and_consumes_through_the_others()
    {
        var cluster = fixture.Cluster;
        var vhost = await cluster.CreateVirtualHostAsync("first-dead", defaultQueueType: "quorum");
        await cluster.KillNodeAsync(0);
        try
        {
            var settings = BrokerHosts.Settings(cluster, vhost, MicroCommsTestHost.TempDatabase());
            settings["MicroComms:RabbitMq:QueueType"] = "Quorum";
            var counter = new AcceptedCount();
            using var host = MicroCommsTestHost.Build(settings, s => s.AddSingleton(counter), x => x.AddConsumer<AcceptingConsumer>());

            // The start-up check and MassTransit's connection both pass over the dead node to the next one of the list.
            await host.StartAsync().WaitAsync(Timeout);
            var bus = host.Services.GetRequiredService<IBus>();
            for (var i = 0; i < 5; i++)
            {
                await bus.Publish(new AcceptedWork(i));
            }

            await Poll.Until(() => counter.Value == 5, Timeout);
            await host.StopAsync();
        }
        finally
        {
            await cluster.StartNodeAsync(0);
            await cluster.DeleteVirtualHostAsync(vhost);
        }
    }

    public sealed record AcceptedWork(int Number);

    public sealed class AcceptedCount
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Add() => Interlocked.Increment(ref _value);
    }

    public sealed class AcceptingConsumer(AcceptedCount count) : IConsumer<AcceptedWork>
    {
        public Task Consume(ConsumeContext<AcceptedWork> context)
        {
            count.Add();
            return Task.CompletedTask;
        }
    }

    public sealed record RefusedWork(int Number);

    public sealed class RefusingConsumer : IConsumer<RefusedWork>
    {
        public Task Consume(ConsumeContext<RefusedWork> context) =>
            throw new InvalidOperationException($"refused {context.Message.Number}");
    }
}
