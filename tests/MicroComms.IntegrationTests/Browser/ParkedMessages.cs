using System.Globalization;
using System.Text;
using System.Text.Json;
using MicroComms.Contracts;
using MicroComms.Host.Errors;
using MicroComms.Testing;
using RabbitMQ.Client;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>
/// Fills an error queue fast, without a failing consumer: ChargePayment envelopes with the headers MassTransit's fault
/// filter leaves on a message it parks (MT-Reason, MT-Fault-*, MT-Host-*), published in confirmed batches.
/// </summary>
internal static class ParkedMessages
{
    private const int Batch = 500;

    /// <summary>Publishes <paramref name="count"/> parked messages to <paramref name="errorQueue"/>.</summary>
    /// <returns>The first message's id.</returns>
    public static async Task<string> SeedAsync(RabbitMqNode node, string virtualHost, string errorQueue, int count, CancellationToken cancellationToken)
    {
        await using var connection = await node.ConnectAsync(virtualHost, cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        // As MassTransit declares an error queue of a classic-queue endpoint (durable, no arguments); it does so only at the first fault.
        await channel.QueueDeclareAsync(errorQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);

        var inputAddress = $"rabbitmq://{node.Host}/{virtualHost}/{ErrorQueueNames.SourceQueue(errorQueue)}";
        var firstFailure = DateTimeOffset.UtcNow.AddMinutes(-5);
        var ids = new List<string>(count);
        for (var start = 0; start < count; start += Batch)
        {
            // Awaiting each batch as a whole keeps the publisher confirms in flight without one round trip per message.
            var batch = Enumerable.Range(start, Math.Min(Batch, count - start))
                .Select(i =>
                {
                    var messageId = Guid.NewGuid().ToString();
                    ids.Add(messageId);
                    return Publish(channel, errorQueue, inputAddress, messageId, firstFailure.AddMilliseconds(i), cancellationToken).AsTask();
                })
                .ToList();
            await Task.WhenAll(batch);
        }

        return ids[0];
    }

    private static ValueTask Publish(IChannel channel, string queue, string inputAddress, string messageId, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        var orderId = Guid.NewGuid();
        var envelope = new
        {
            messageId,
            conversationId = Guid.NewGuid(),
            correlationId = orderId,
            sourceAddress = new Uri(new Uri(inputAddress), "order-state"),
            destinationAddress = inputAddress,
            messageType = new[] { $"urn:message:{typeof(ChargePayment).Namespace}:{nameof(ChargePayment)}" },
            message = new ChargePayment(orderId, "customer-" + failedAt.Millisecond, 25m),
            sentTime = failedAt.AddSeconds(-1),
            headers = new { },
        };
        var properties = new BasicProperties
        {
            MessageId = messageId,
            CorrelationId = orderId.ToString(),
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?>
            {
                ["Content-Type"] = "application/vnd.masstransit+json",
                ["MT-Reason"] = "fault",
                ["MT-Fault-ExceptionType"] = "MicroComms.Payments.PaymentProviderUnavailableException",
                ["MT-Fault-Message"] = $"The payment provider timed out charging order {orderId}.",
                ["MT-Fault-MessageType"] = $"{typeof(ChargePayment).Namespace}.{nameof(ChargePayment)}",
                ["MT-Fault-ConsumerType"] = "MicroComms.Payments.ChargePaymentConsumer",
                ["MT-Fault-InputAddress"] = inputAddress,
                ["MT-Fault-Timestamp"] = failedAt.ToString("O", CultureInfo.InvariantCulture),
                ["MT-Fault-RetryCount"] = 1,
                ["MT-Fault-StackTrace"] = "   at MicroComms.Payments.SimulatedPaymentProvider.ChargeAsync(...)\n   at MicroComms.Payments.ChargePaymentConsumer.Consume(...)",
                ["MT-Host-MachineName"] = Environment.MachineName,
                ["MT-Host-ProcessName"] = "microcomms",
                ["MT-Host-MassTransitVersion"] = "8.5.12.0",
            },
        };
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(envelope, JsonSerializerOptions.Web));
        return channel.BasicPublishAsync("", queue, mandatory: false, properties, body, cancellationToken);
    }
}
