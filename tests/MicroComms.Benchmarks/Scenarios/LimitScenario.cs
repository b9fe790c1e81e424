using System.Text.Json;
using MicroComms.Benchmarks.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// The broker's limit on this machine: raw RabbitMQ.Client 7.2, one publishing channel with confirms and a window of
/// outstanding publishes, one consuming channel with a prefetch and one manual ack per message.
/// </summary>
public sealed class LimitScenario : IScenario
{
    private const string Queue = "bench-limit";

    /// <summary>Deep enough that the consumer never waits for the broker; 500 was the best value measured for MassTransit too.</summary>
    public const ushort Prefetch = 500;

    private static readonly BasicProperties Persistent = new() { Persistent = true, ContentType = "application/json" };

    private readonly ConsumeCounter _counter = new();
    private BenchContext _context = null!;
    private IConnection? _publisherConnection;
    private IConnection? _consumerConnection;
    private IChannel _publisher = null!;

    public string Name => "limit";

    public ScenarioFamily Family => ScenarioFamily.Throughput;

    public string Description => "raw RabbitMQ.Client 7.2: confirms window, prefetch, manual acks";

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name);
        var factory = context.ConnectionFactory(vhost);
        _publisherConnection = await factory.CreateConnectionAsync("bench-limit-publisher", cancellationToken);
        _consumerConnection = await factory.CreateConnectionAsync("bench-limit-consumer", cancellationToken);

        // The client's default outstanding-confirm limiter (128 permits, throttling from 50%) sleeps up to 1 s per
        // publish once half is used; the driver already bounds what is in flight, so it is switched off on purpose.
        _publisher = await _publisherConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null),
            cancellationToken);
        await _publisher.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);

        var consumerChannel = await _consumerConnection.CreateChannelAsync(cancellationToken: cancellationToken);
        await consumerChannel.BasicQosAsync(0, Prefetch, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            _ = JsonSerializer.Deserialize<BenchMessage>(delivery.Body.Span)!;
            _counter.Increment(delivery.Body.Length);
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await consumerChannel.BasicConsumeAsync(Queue, autoAck: false, consumer, cancellationToken);

        await RunAsync(context.Settings.Warmup, cancellationToken);
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        return await ThroughputDriver.MeasureAsync(Name, "raw RabbitMQ.Client", _context.Settings.Messages, _counter, RunAsync, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_publisherConnection is not null)
        {
            await _publisherConnection.DisposeAsync();
        }

        if (_consumerConnection is not null)
        {
            await _consumerConnection.DisposeAsync();
        }
    }

    private Task<TimeSpan> RunAsync(int messages, CancellationToken cancellationToken) =>
        ThroughputDriver.RunAsync(messages, _context.Settings.PublishWindow, _counter, async (i, ct) =>
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(BenchMessage.Create(i));
            await _publisher.BasicPublishAsync(string.Empty, Queue, mandatory: false, Persistent, body, ct);
        }, _context.Settings.RoundTimeout, cancellationToken);
}
