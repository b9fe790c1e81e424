using System.Text;
using System.Text.Json;
using MassTransit;
using MicroComms.Messaging;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests;

/// <summary>MicroComms:RabbitMq:QueueType = Quorum on a real broker (one node is enough: a quorum queue of one member).</summary>
[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class QuorumQueues_Specs(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly string[] UnknownType = ["urn:message:Nobody.Here:Unknown"];

    [Fact]
    public async Task Every_receive_endpoint_and_its_error_and_skipped_queues_are_quorum_queues_the_reply_queue_is_not_and_requests_are_answered()
    {
        // A virtual host whose default is classic, so only the setting can make a quorum queue.
        var vhost = await broker.Node.CreateVirtualHostAsync("quorum");
        try
        {
            using var host = MicroCommsTestHost.Build(Settings(vhost), _ => { }, x =>
            {
                x.AddConsumer<FailingJobConsumer>();
                x.AddConsumer<AnsweringConsumer>();
                x.AddRequestClient<AskJob>();
            });
            await host.StartAsync();

            using (var scope = host.Services.CreateScope())
            {
                var answer = await scope.ServiceProvider.GetRequiredService<IRequestClient<AskJob>>().GetResponse<JobAnswer>(new AskJob(41));
                Assert.Equal(42, answer.Message.Value);
            }

            await host.Services.GetRequiredService<IBus>().Publish(new FailingJob(1));
            await PublishUnknownTypeAsync(vhost, "answering");
            await Poll.Until(async () => await broker.Node.MessageCountAsync(vhost, "failing-job_error") == 1, Timeout);
            await Poll.Until(async () => await broker.Node.MessageCountAsync(vhost, "answering_skipped") == 1, Timeout);

            var queues = await QueuesAsync(vhost);
            foreach (var queue in queues)
            {
                output.WriteLine($"{queue.Name}: {queue.Type}, durable {queue.Durable}, auto-delete {queue.AutoDelete}, exclusive {queue.Exclusive}");
            }

            foreach (var name in new[] { "failing-job", "failing-job_error", "answering", "answering_skipped", "microcomms-scheduler" })
            {
                Assert.Equal("quorum", Assert.Single(queues, q => q.Name == name).Type);
            }

            // The bus's own queue, where responses arrive: temporary (exclusive, not durable), so it stays classic.
            var replyQueue = Assert.Single(queues, q => q.Exclusive || q.AutoDelete || !q.Durable);
            Assert.Equal("classic", replyQueue.Type);
            Assert.All(queues.Where(q => q != replyQueue), q => Assert.Equal("quorum", q.Type));
            await host.StopAsync();
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task On_a_virtual_host_with_default_queue_type_quorum_a_sender_that_starts_before_its_receiver_works()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("quorum-first", defaultQueueType: "quorum");
        try
        {
            var log = new JobLog();
            // In a flow of its own: MassTransit keeps the first bus's log context in an AsyncLocal, and this host's is disposed
            // before the receiver's bus is created.
            await Task.Run(async () =>
            {
                using var sender = MicroCommsTestHost.Build(Settings(vhost), _ => { }, _ => { });
                await sender.StartAsync();
                var endpoint = await sender.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:late-receiver"));
                await endpoint.Send(new LateJob(7));
                await sender.StopAsync();
            });

            using var receiver = MicroCommsTestHost.Build(Settings(vhost), s => s.AddSingleton(log), x => x.AddConsumer<LateReceiverConsumer>());
            await receiver.StartAsync().WaitAsync(Timeout);

            Assert.Equal(7, await log.Received.Task.WaitAsync(Timeout));
            Assert.Equal("quorum", Assert.Single(await QueuesAsync(vhost), q => q.Name == "late-receiver").Type);
            await receiver.StopAsync();
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_service_whose_queue_already_exists_as_classic_stops_start_up_with_a_sentence_naming_the_queue_and_what_to_do()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("quorum-conflict");
        try
        {
            await using (var connection = await broker.Node.ConnectAsync(vhost))
            await using (var channel = await connection.CreateChannelAsync())
            {
                await channel.QueueDeclareAsync("late-receiver", durable: true, exclusive: false, autoDelete: false);
            }

            using var host = MicroCommsTestHost.Build(Settings(vhost), s => s.AddSingleton(new JobLog()), x => x.AddConsumer<LateReceiverConsumer>());

            // Without the guard, MassTransit declares the queue again and again and the start never returns.
            var error = await Assert.ThrowsAsync<QueueConflictException>(() => host.StartAsync().WaitAsync(Timeout));
            output.WriteLine(error.Message);

            Assert.Contains("Queue 'late-receiver'", error.Message, StringComparison.Ordinal);
            Assert.Contains("x-queue-type", error.Message, StringComparison.Ordinal);
            Assert.Contains("delete the queue", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    private Dictionary<string, string?> Settings(string vhost)
    {
        var settings = BrokerHosts.Settings(broker.Node, vhost, MicroCommsTestHost.TempDatabase());
        settings["MicroComms:RabbitMq:QueueType"] = nameof(QueueType.Quorum);
        settings["MicroComms:Retry:ImmediateLimit"] = "0";
        settings["MicroComms:Retry:DelayedRedelivery"] = "false";
        return settings;
    }

    /// <summary>A MassTransit envelope of a type nobody consumes, straight onto <paramref name="queue"/> (no declaration).</summary>
    private async Task PublishUnknownTypeAsync(string vhost, string queue)
    {
        var id = Guid.NewGuid().ToString();
        var body = JsonSerializer.Serialize(new { messageId = id, messageType = UnknownType, message = new { } });
        await using var connection = await broker.Node.ConnectAsync(vhost);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = id, Persistent = true };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }

    private async Task<List<QueueInfo>> QueuesAsync(string vhost)
    {
        using var http = broker.Node.ManagementClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync($"api/queues/{Uri.EscapeDataString(vhost)}"));
        return [.. document.RootElement.EnumerateArray().Select(q => new QueueInfo(
            q.GetProperty("name").GetString()!,
            q.GetProperty("type").GetString()!,
            q.GetProperty("durable").GetBoolean(),
            q.GetProperty("auto_delete").GetBoolean(),
            q.TryGetProperty("exclusive", out var exclusive) && exclusive.ValueKind == JsonValueKind.True))];
    }

    private sealed record QueueInfo(string Name, string Type, bool Durable, bool AutoDelete, bool Exclusive);

    public sealed record FailingJob(int Number);

    public sealed record AskJob(int Value);

    public sealed record JobAnswer(int Value);

    public sealed record LateJob(int Number);

    public sealed class JobLog
    {
        public TaskCompletionSource<int> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed class FailingJobConsumer : IConsumer<FailingJob>
    {
        public Task Consume(ConsumeContext<FailingJob> context) => throw new InvalidOperationException($"job {context.Message.Number} fails");
    }

    public sealed class AnsweringConsumer : IConsumer<AskJob>
    {
        public Task Consume(ConsumeContext<AskJob> context) => context.RespondAsync(new JobAnswer(context.Message.Value + 1));
    }

    public sealed class LateReceiverConsumer(JobLog log) : IConsumer<LateJob>
    {
        public Task Consume(ConsumeContext<LateJob> context)
        {
            log.Received.TrySetResult(context.Message.Number);
            return Task.CompletedTask;
        }
    }
}
