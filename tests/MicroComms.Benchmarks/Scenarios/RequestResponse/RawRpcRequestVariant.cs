using System.Collections.Concurrent;
using System.Text.Json;
using MicroComms.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// Raw RabbitMQ.Client RPC with direct reply-to: requests persistent on a durable queue with confirms and manual acks
/// (the same settings as the bus), replies through amq.rabbitmq.reply-to.
/// </summary>
public sealed class RawRpcRequestVariant : IRequestVariant
{
    private const string Queue = "bench-rpc";
    private const string DirectReplyTo = "amq.rabbitmq.reply-to";

    /// <summary>Enough requests in hand for 16 callers, and as many handled at once.</summary>
    private const ushort ServerPrefetch = 64;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<OrderStatus>> _pending = new();
    private IConnection? _serverConnection;
    private IConnection? _clientConnection;
    private IChannel _client = null!;

    public string Name => "raw direct reply-to";

    public async Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        var factory = context.ConnectionFactory(virtualHost);
        factory.ConsumerDispatchConcurrency = ServerPrefetch;
        _serverConnection = await factory.CreateConnectionAsync("bench-rpc-server", cancellationToken);
        var server = await _serverConnection.CreateChannelAsync(Confirmed(), cancellationToken);
        await server.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await server.BasicQosAsync(0, ServerPrefetch, global: false, cancellationToken);
        var serverConsumer = new AsyncEventingBasicConsumer(server);
        serverConsumer.ReceivedAsync += async (_, delivery) =>
        {
            var request = JsonSerializer.Deserialize<GetOrderStatus>(delivery.Body.Span)!;
            var status = store.Find(request.OrderId);
            var reply = new BasicProperties { CorrelationId = delivery.BasicProperties.CorrelationId, ContentType = "application/json" };
            await server.BasicPublishAsync(string.Empty, delivery.BasicProperties.ReplyTo!, mandatory: false, reply, JsonSerializer.SerializeToUtf8Bytes(status));
            await server.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await server.BasicConsumeAsync(Queue, autoAck: false, serverConsumer, cancellationToken);

        _clientConnection = await context.ConnectionFactory(virtualHost).CreateConnectionAsync("bench-rpc-client", cancellationToken);
        _client = await _clientConnection.CreateChannelAsync(Confirmed(), cancellationToken);
        var replies = new AsyncEventingBasicConsumer(_client);
        replies.ReceivedAsync += (_, delivery) =>
        {
            if (delivery.BasicProperties.CorrelationId is { } id && _pending.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult(JsonSerializer.Deserialize<OrderStatus>(delivery.Body.Span)!);
            }

            return Task.CompletedTask;
        };
        // Direct reply-to requires auto-ack on the pseudo-queue, and the consumer must exist before the first publish.
        await _client.BasicConsumeAsync(DirectReplyTo, autoAck: true, replies, cancellationToken);
    }

    public async Task CallAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var correlationId = Guid.NewGuid().ToString("N");
        var waiter = new TaskCompletionSource<OrderStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[correlationId] = waiter;
        var properties = new BasicProperties
        {
            CorrelationId = correlationId,
            ReplyTo = DirectReplyTo,
            Persistent = true,
            ContentType = "application/json",
        };
        await _client.BasicPublishAsync(string.Empty, Queue, mandatory: false, properties,
            JsonSerializer.SerializeToUtf8Bytes(new GetOrderStatus(orderId)), cancellationToken);
        var status = await waiter.Task.WaitAsync(cancellationToken);
        if (status.OrderId != orderId)
        {
            throw new InvalidOperationException($"Asked for order {orderId}, got {status.OrderId}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_clientConnection is not null)
        {
            await _clientConnection.DisposeAsync();
        }

        if (_serverConnection is not null)
        {
            await _serverConnection.DisposeAsync();
        }
    }

    // Callers are few (at most 16 in flight), so the client's confirm limiter never throttles; it is off for clarity.
    private static CreateChannelOptions Confirmed() =>
        new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null);
}
