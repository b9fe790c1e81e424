using System.Text;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Host;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace MicroComms.IntegrationTests;

[Collection(BrokerCollection.Name)]
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
