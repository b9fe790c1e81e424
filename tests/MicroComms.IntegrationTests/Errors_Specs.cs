using System.Collections.Concurrent;
using System.Text;
using MassTransit;
using MicroComms.Messaging.Retry;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests;

[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class Errors_Specs(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_message_that_keeps_failing_lands_in_the_error_queue_with_fault_headers_after_immediate_and_delayed_attempts()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("errors");
        try
        {
            var log = new FailureLog();
            var settings = BrokerHosts.Settings(broker.Node, vhost, MicroCommsTestHost.TempDatabase());
            settings["MicroComms:Retry:ImmediateLimit"] = "1";
            using var host = MicroCommsTestHost.Build(settings, s => s.AddSingleton(log), x =>
            {
                x.AddConsumer<DoomedConsumer>();
                x.AddConsumer<DoomedFaultConsumer>();
            });
            await host.StartAsync();

            await host.Services.GetRequiredService<IBus>().Publish(new DoomedWork(42));
            await log.Faulted.Task.WaitAsync(Timeout);
            var message = await GetOneAsync(vhost, "doomed_error");
            await host.StopAsync();

            // 1 + 1 immediate attempts, for the first delivery and each of the 2 redeliveries.
            var attempts = log.Attempts.OrderBy(a => a.At).ToList();
            Assert.Equal(6, attempts.Count);
            Assert.Equal([0, 0, 1, 1, 2, 2], attempts.Select(a => a.Redelivery));
            Assert.True(attempts[2].At - attempts[1].At >= TimeSpan.FromSeconds(1), $"first redelivery after {attempts[2].At - attempts[1].At}");
            Assert.True(attempts[4].At - attempts[3].At >= TimeSpan.FromSeconds(1), $"second redelivery after {attempts[4].At - attempts[3].At}");
            Assert.Equal(1, log.FaultCount);

            var headers = message.Headers;
            foreach (var (key, value) in headers.OrderBy(h => h.Key))
            {
                output.WriteLine($"{key} = {value}");
            }

            Assert.Equal(typeof(InvalidOperationException).FullName, headers["MT-Fault-ExceptionType"]);
            Assert.Equal("doomed 42", headers["MT-Fault-Message"]);
            Assert.Contains(nameof(DoomedConsumer), headers["MT-Fault-StackTrace"], StringComparison.Ordinal);
            Assert.Equal(Environment.MachineName, headers["MT-Host-MachineName"]);
            Assert.True(DateTime.TryParse(headers["MT-Fault-Timestamp"], out _));
            Assert.Equal("2", headers["MT-Redelivery-Count"]);
            Assert.True(int.TryParse(headers["MT-Fault-RetryCount"], out _));
            Assert.Equal(attempts[0].At.UtcDateTime, DateTime.Parse(headers[MicroCommsHeaders.FirstFaultTimestamp], null, System.Globalization.DateTimeStyles.RoundtripKind).ToUniversalTime(), TimeSpan.FromSeconds(1));
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_message_type_without_a_consumer_goes_to_skipped_and_a_body_that_is_not_json_to_error_without_stalling_the_endpoint()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("poison");
        try
        {
            var log = new FailureLog();
            using var host = MicroCommsTestHost.Build(
                BrokerHosts.Settings(broker.Node, vhost, MicroCommsTestHost.TempDatabase()),
                s => s.AddSingleton(log),
                x => x.AddConsumer<SturdyConsumer>());
            await host.StartAsync();

            await using (var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString(), Persistent = true };
                await channel.BasicPublishAsync("", "sturdy", mandatory: true, properties, Encoding.UTF8.GetBytes("this is { not json"));
            }

            var bus = host.Services.GetRequiredService<IBus>();
            var sturdy = await bus.GetSendEndpoint(new Uri("queue:sturdy"));
            await sturdy.Send(new Unwanted("nobody consumes this here"));
            await sturdy.Send(new SturdyWork(1));
            await log.Succeeded.Task.WaitAsync(Timeout);

            var poison = await GetOneAsync(vhost, "sturdy_error");
            Assert.Equal("this is { not json", poison.Body);
            output.WriteLine("poison: " + string.Join(", ", poison.Headers.Select(h => $"{h.Key}={h.Value}")));
            Assert.Equal("fault", poison.Headers["MT-Reason"]);
            Assert.Contains("Json", poison.Headers["MT-Fault-ExceptionType"], StringComparison.Ordinal);

            var skipped = await GetOneAsync(vhost, "sturdy_skipped");
            Assert.Contains("nobody consumes this here", skipped.Body, StringComparison.Ordinal);
            Assert.Equal("dead-letter", skipped.Headers["MT-Reason"]);
            await host.StopAsync();
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    private async Task<ErrorCopy> GetOneAsync(string vhost, string queue)
    {
        await using var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync();
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            // The queue may not exist yet (the fault is published before the move): a 404 closes the channel.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: deadline.Token);
            try
            {
                var result = await channel.BasicGetAsync(queue, autoAck: false, deadline.Token);
                if (result is not null)
                {
                    var headers = (result.BasicProperties.Headers ?? new Dictionary<string, object?>())
                        .ToDictionary(h => h.Key, h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(h.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
                    return new ErrorCopy(result.BasicProperties.MessageId, headers, Encoding.UTF8.GetString(result.Body.Span));
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private sealed record ErrorCopy(string? MessageId, Dictionary<string, string> Headers, string Body);

    public sealed record DoomedWork(int Number);

    public sealed record SturdyWork(int Number);

    public sealed record Unwanted(string Text);

    public sealed class SturdyConsumer(FailureLog log) : IConsumer<SturdyWork>
    {
        public Task Consume(ConsumeContext<SturdyWork> context)
        {
            log.Succeeded.TrySetResult();
            return Task.CompletedTask;
        }
    }

    public sealed class FailureLog
    {
        private int _faultCount;

        public ConcurrentQueue<(DateTimeOffset At, int Redelivery)> Attempts { get; } = new();

        public TaskCompletionSource Faulted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Succeeded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int FaultCount => Volatile.Read(ref _faultCount);

        public void Fault()
        {
            Interlocked.Increment(ref _faultCount);
            Faulted.TrySetResult();
        }
    }

    public sealed class DoomedConsumer(FailureLog log) : IConsumer<DoomedWork>
    {
        public Task Consume(ConsumeContext<DoomedWork> context)
        {
            log.Attempts.Enqueue((DateTimeOffset.UtcNow, context.GetRedeliveryCount()));
            throw new InvalidOperationException($"doomed {context.Message.Number}");
        }
    }

    public sealed class DoomedFaultConsumer(FailureLog log) : IConsumer<Fault<DoomedWork>>
    {
        public Task Consume(ConsumeContext<Fault<DoomedWork>> context)
        {
            log.Fault();
            return Task.CompletedTask;
        }
    }
}
