using System.Net;
using System.Net.Http.Json;
using System.Text;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Host;
using MicroComms.Messaging;
using MicroComms.Orders;
using MicroComms.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace MicroComms.IntegrationTests.Security;

/// <summary>
/// Each service connects as its own broker user, whose permissions (rabbitmq/definitions.json) cover only what it
/// declares, reads and writes: enough for the whole workflow, and nothing of another service's.
/// </summary>
[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class ServiceUsers_Specs(BrokerFixture broker)
{
    private const int AccessRefused = 403;

    [Fact]
    public async Task Payments_user_cannot_consume_or_get_from_Inventorys_queue_but_can_from_its_own()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("users-read");
        try
        {
            await DeclareQueueAsync(vhost, ServiceNames.Inventory, QueueNames.ReserveStock);
            await DeclareQueueAsync(vhost, ServiceNames.Payments, QueueNames.ChargePayment);
            await using var payments = await ConnectAsync(vhost, ServiceNames.Payments);

            var get = await RefusalAsync(payments, c => c.BasicGetAsync(QueueNames.ReserveStock, autoAck: false));
            var consume = await RefusalAsync(payments, c => c.BasicConsumeAsync(QueueNames.ReserveStock, autoAck: false, new AsyncEventingBasicConsumer(c)));

            Assert.Equal(AccessRefused, get.ReplyCode);
            Assert.Contains("ACCESS_REFUSED", get.ReplyText, StringComparison.Ordinal);
            Assert.Equal(AccessRefused, consume.ReplyCode);
            await using var channel = await payments.CreateChannelAsync();
            Assert.Null(await channel.BasicGetAsync(QueueNames.ChargePayment, autoAck: false));
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task Payments_user_cannot_publish_to_Inventorys_commands_or_an_event_it_does_not_raise_but_can_publish_its_own()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("users-write");
        try
        {
            await DeclareQueueAsync(vhost, ServiceNames.Inventory, QueueNames.ReserveStock);
            var orderSubmitted = $"{typeof(OrderSubmitted).Namespace}:{nameof(OrderSubmitted)}";
            var paymentCompleted = $"{typeof(PaymentCompleted).Namespace}:{nameof(PaymentCompleted)}";
            await using (var asOperator = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync())
            await using (var channel = await asOperator.CreateChannelAsync())
            {
                await channel.ExchangeDeclareAsync(orderSubmitted, ExchangeType.Fanout, durable: true);
            }

            await using var payments = await ConnectAsync(vhost, ServiceNames.Payments);

            var command = await PublishRefusalAsync(payments, QueueNames.ReserveStock);
            var foreignEvent = await PublishRefusalAsync(payments, orderSubmitted);

            Assert.Equal(AccessRefused, command.ReplyCode);
            Assert.Equal(AccessRefused, foreignEvent.ReplyCode);
            await using var own = await payments.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await own.ExchangeDeclareAsync(paymentCompleted, ExchangeType.Fanout, durable: true);
            await own.BasicPublishAsync(paymentCompleted, "", mandatory: false, Encoding.UTF8.GetBytes("{}"));
            Assert.True(own.IsOpen);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task The_order_workflow_completes_with_every_service_a_process_of_its_own_on_its_own_broker_user()
    {
        const int Orders = 12;
        var vhost = await broker.Node.CreateVirtualHostAsync("users-workflow");
        var data = TestFiles.Path($"users-workflow-{Guid.NewGuid():N}");
        try
        {
            await using var fleet = await ServiceFleet.StartAsync(data, service =>
            {
                var settings = broker.Node.ServiceSettings(vhost, service);

                // Charges that fail and are redelivered through Payments' scheduler; bob's charges come after Orders'
                // payment timeout (scheduled through Orders' scheduler), so his orders fault and his late payments are refunded.
                settings["MicroComms:Payments:TransientFailureRate"] = "0.3";
                settings["MicroComms:Payments:SlowCustomers:0"] = "bob";
                settings["MicroComms:Payments:SlowChargeDelay"] = "00:00:08";
                settings["MicroComms:Orders:PaymentTimeout"] = "00:00:05";
                settings["MicroComms:Retry:ImmediateLimit"] = "0";
                for (var i = 0; i < 5; i++)
                {
                    settings[$"MicroComms:Retry:RedeliveryIntervals:{i}"] = "00:00:00.200";
                }

                settings["MicroComms:Scheduler:PollInterval"] = "00:00:00.500";
                settings["Logging:LogLevel:Default"] = "Warning";
                return settings;
            });

            using var http = new HttpClient { BaseAddress = fleet.GatewayAddress };
            var placed = new List<(Guid Id, string Customer)>();
            for (var i = 0; i < Orders; i++)
            {
                var customer = i % 4 == 0 ? "bob" : "alice";
                var id = Guid.NewGuid();
                using var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(id, customer, [new PlaceOrderLine("KB-101", 1, 20m)]));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                placed.Add((id, customer));
            }

            var final = new Dictionary<Guid, OrderStatus>();
            await Poll.Until(
                async () =>
                {
                    foreach (var order in placed.Where(o => !final.ContainsKey(o.Id)))
                    {
                        var status = await http.GetFromJsonAsync<OrderStatus>($"/orders/{order.Id}");
                        if (status is not null && OrderStates.IsFinal(status.State))
                        {
                            final[order.Id] = status;
                        }
                    }

                    return final.Count == placed.Count;
                },
                TimeSpan.FromSeconds(90),
                "every order final");

            Assert.All(placed.Where(o => o.Customer == "alice"), o => Assert.Equal(OrderStates.Completed, final[o.Id].State));
            Assert.All(placed.Where(o => o.Customer == "bob"), o => Assert.Equal(OrderStates.Faulted, final[o.Id].State));
            foreach (var queue in new[] { QueueNames.ChargePayment, QueueNames.RefundPayment, QueueNames.ReserveStock, QueueNames.OrderState })
            {
                Assert.True((await broker.Node.MessageCountAsync(vhost, queue + "_error") ?? 0) == 0, $"{queue}_error has messages");
            }
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_service_user_with_the_shared_scheduler_queue_stops_start_up_with_a_sentence_naming_its_own()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("users-scheduler");
        try
        {
            var settings = broker.Node.ServiceSettings(vhost, ServiceNames.Payments);
            settings.Remove("MicroComms:Scheduler:QueueName");
            settings["MicroComms:Host:Services"] = ServiceNames.Payments;
            settings["MicroComms:Host:DataDirectory"] = TestFiles.Path($"users-scheduler-{Guid.NewGuid():N}");
            settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
            settings["MicroComms:Host:GrpcUrl"] = "";
            await using var app = MicroCommsApp.Build(settings);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            var error = await Assert.ThrowsAsync<MicroComms.Messaging.BrokerUnreachableException>(() => app.StartAsync(bound.Token));

            Assert.Contains("'microcomms-payments' the scheduler queue 'microcomms-scheduler'", error.Message, StringComparison.Ordinal);
            Assert.Contains("MicroComms:Scheduler:QueueName to microcomms-scheduler-<service>", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>
    /// Regression (ReceiveFault refused to a service user): a body no deserializer reads makes MassTransit publish
    /// <c>MassTransit:ReceiveFault</c> before it moves the message to <c>_error</c>; the service users had no right to that
    /// exchange, so the broker closed the channel and the message went back to its queue for ever instead of to _error.
    /// </summary>
    [Fact]
    public async Task ReceiveFault_refused_to_a_service_user_no_longer_keeps_an_unreadable_message_out_of_the_error_queue()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("users-receive-fault");
        try
        {
            var settings = broker.Node.ServiceSettings(vhost, ServiceNames.Payments);
            settings["MicroComms:Host:Services"] = ServiceNames.Payments;
            settings["MicroComms:Host:DataDirectory"] = TestFiles.Path($"users-receive-fault-{Guid.NewGuid():N}");
            settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
            settings["MicroComms:Host:GrpcUrl"] = "";
            settings["Logging:LogLevel:Default"] = "Warning";
            await using var app = MicroCommsApp.Build(settings);
            await app.StartAsync();
            try
            {
                await using (var asOperator = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync())
                await using (var channel = await asOperator.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
                {
                    var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString(), Persistent = true };
                    await channel.BasicPublishAsync("", QueueNames.ChargePayment, mandatory: true, properties, Encoding.UTF8.GetBytes("{ not json"));
                }

                await Poll.Until(
                    async () => await broker.Node.MessageCountAsync(vhost, QueueNames.ChargePayment + "_error") == 1,
                    TimeSpan.FromSeconds(30),
                    "the unreadable message in charge-payment_error");
                Assert.Equal(0u, await broker.Node.MessageCountAsync(vhost, QueueNames.ChargePayment));
            }
            finally
            {
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>Connects as <paramref name="service"/>'s own user (rabbitmq/definitions.json; on the rabbitmq/ node its password is its name).</summary>
    private Task<IConnection> ConnectAsync(string vhost, string service)
    {
        var factory = broker.Node.ConnectionFactory(vhost);
        factory.UserName = BrokerPermission.ServiceUser(service);
        factory.Password = BrokerPermission.ServiceUser(service);
        return factory.CreateConnectionAsync();
    }

    /// <summary>Declares the queue as its owner would (the owner's user may), so a refusal below is about rights, not a missing queue.</summary>
    private async Task DeclareQueueAsync(string vhost, string owner, string queue)
    {
        await using var connection = await ConnectAsync(vhost, owner);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
    }

    /// <summary>Runs <paramref name="action"/> on a channel of its own and returns why the broker closed that channel.</summary>
    private static async Task<ShutdownEventArgs> RefusalAsync(IConnection connection, Func<IChannel, Task> action)
    {
        await using var channel = await connection.CreateChannelAsync();
        var error = await Assert.ThrowsAsync<OperationInterruptedException>(() => action(channel));
        return error.ShutdownReason!;
    }

    /// <summary>
    /// Publishes to <paramref name="exchange"/> with publisher confirms: a publish the broker refuses closes the channel, and
    /// the awaited confirm fails with it.
    /// </summary>
    private static async Task<ShutdownEventArgs> PublishRefusalAsync(IConnection connection, string exchange)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await Assert.ThrowsAnyAsync<Exception>(async () => await channel.BasicPublishAsync(exchange, "", mandatory: false, Encoding.UTF8.GetBytes("{}")));
        return channel.CloseReason ?? throw new InvalidOperationException($"The publish to {exchange} failed, but the channel was not closed by the broker.");
    }
}
