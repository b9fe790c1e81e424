using System.Text;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Host;
using MicroComms.Messaging.Retry;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace MicroComms.IntegrationTests;

[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class DeadLetter_Specs(BrokerFixture broker)
{
    private static readonly TimeSpan QueueTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_body_that_is_not_JSON_lands_in_the_error_queue_and_the_service_goes_on_consuming()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("poison");
        try
        {
            await using var processes = new ServiceProcesses(broker.Node, vhost);
            var orders = await processes.StartAsync(ServiceNames.Orders);

            await using (var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString() };
                await channel.BasicPublishAsync("", "get-order-status", false, properties, Encoding.UTF8.GetBytes("{ this is not json"));
            }

            await WaitForMessagesAsync(vhost, "get-order-status_error");

            var client = orders.Services.GetRequiredService<IBus>().CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"));
            var orderId = Guid.NewGuid();
            var answer = await client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(orderId));
            Assert.True(answer.Is(out Response<OrderNotFound>? notFound));
            Assert.Equal(orderId, notFound.Message.OrderId);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_message_type_nobody_consumes_lands_in_the_skipped_queue()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("skipped");
        try
        {
            await using var processes = new ServiceProcesses(broker.Node, vhost);
            var orders = await processes.StartAsync(ServiceNames.Orders);

            var endpoint = await orders.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:submit-order"));
            await endpoint.Send(new NobodyConsumesThis("hello"));

            await WaitForMessagesAsync(vhost, "submit-order_skipped");
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Theory]
    [InlineData("text/plain", true, "content type 'text/plain'")]
    [InlineData(null, false, "no message id")]
    public async Task A_well_formed_envelope_with_a_wrong_content_type_or_no_message_id_is_parked_with_the_reason(
        string? contentType, bool withMessageId, string reason)
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("rejected");
        try
        {
            await using var processes = new ServiceProcesses(broker.Node, vhost);
            await processes.StartAsync(ServiceNames.Orders);

            await PublishRawStatusQueryAsync(vhost, contentType, withMessageId, replyQueue: null);
            await WaitForMessagesAsync(vhost, "get-order-status_error");

            await using var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            var parked = await channel.BasicGetAsync("get-order-status_error", autoAck: false);
            Assert.NotNull(parked);
            var fault = Encoding.UTF8.GetString((byte[])parked.BasicProperties.Headers!["MT-Fault-Message"]!);
            Assert.Contains(reason, fault, StringComparison.Ordinal);
            Assert.Equal(typeof(RejectedMessageException).FullName, Encoding.UTF8.GetString((byte[])parked.BasicProperties.Headers!["MT-Fault-ExceptionType"]!));
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_well_formed_envelope_without_a_content_type_is_read_as_the_JSON_envelope()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("no-content-type");
        try
        {
            await using var processes = new ServiceProcesses(broker.Node, vhost);
            await processes.StartAsync(ServiceNames.Orders);
            const string Replies = "probe-replies";
            await using (var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                // MassTransit sends to an exchange named after the address and declares no queue behind it.
                await channel.ExchangeDeclareAsync(Replies, ExchangeType.Fanout, durable: true);
                await channel.QueueDeclareAsync(Replies, durable: true, exclusive: false, autoDelete: false);
                await channel.QueueBindAsync(Replies, Replies, "");
            }

            await PublishRawStatusQueryAsync(vhost, contentType: null, withMessageId: true, replyQueue: Replies);

            await WaitForMessagesAsync(vhost, Replies);
            Assert.Equal(0u, await broker.Node.MessageCountAsync(vhost, "get-order-status_error") ?? 0u);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>A GetOrderStatus written by hand as MassTransit's JSON envelope, as a foreign client would send it.</summary>
    private async Task PublishRawStatusQueryAsync(string vhost, string? contentType, bool withMessageId, string? replyQueue)
    {
        var envelope = new Dictionary<string, object?>
        {
            ["messageType"] = new[] { "urn:message:MicroComms.Contracts:GetOrderStatus" },
            ["message"] = new { orderId = Guid.NewGuid() },
        };
        if (withMessageId)
        {
            envelope["messageId"] = Guid.NewGuid();
        }

        if (replyQueue is not null)
        {
            envelope["responseAddress"] = $"rabbitmq://{broker.Node.Host}:{broker.Node.Port}/{vhost}/{replyQueue}";
        }

        await using var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = contentType };
        await channel.BasicPublishAsync("", "get-order-status", false, properties, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(envelope));
    }

    /// <summary>Polls the broker (the queue count is the only signal there is) until the queue holds a message.</summary>
    private async Task WaitForMessagesAsync(string vhost, string queue)
    {
        using var timeout = new CancellationTokenSource(QueueTimeout);
        while (await broker.Node.MessageCountAsync(vhost, queue) is not > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }
    }

    public sealed record NobodyConsumesThis(string Text);
}
