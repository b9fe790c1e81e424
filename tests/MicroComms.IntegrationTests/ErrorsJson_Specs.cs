using System.Text;
using System.Text.Json;
using MicroComms.Host.Errors;
using MicroComms.Testing;
using RabbitMQ.Client;

namespace MicroComms.IntegrationTests;

/// <summary><c>errors list --json</c> and <c>errors show --json</c>: one JSON object each, with the README's field names.</summary>
[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class ErrorsJson_Specs(BrokerFixture broker)
{
    [Fact]
    public async Task List_and_show_print_the_parked_message_as_JSON_for_scripts()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("errors-json");
        try
        {
            var settings = BrokerHosts.Settings(broker.Node, vhost, MicroCommsTestHost.TempDatabase());
            var messageId = Guid.NewGuid();
            await ParkAsync(vhost, "invoice_error", messageId);

            // The management API counts every few seconds: wait until it has counted the parked message.
            JsonElement queues = default;
            await Poll.Until(async () =>
            {
                var list = await ErrorsCli.RunAsync(settings, "errors", "list", "--json");
                Assert.True(list.ExitCode == ExitCodes.Ok, list.Error);
                using var document = JsonDocument.Parse(list.Output);
                queues = document.RootElement.GetProperty("queues").Clone();
                return queues.EnumerateArray().Any(q => q.GetProperty("queue").GetString() == "invoice_error" && q.GetProperty("messages").GetInt64() == 1);
            }, TimeSpan.FromSeconds(60));
            var show = await ErrorsCli.RunAsync(settings, "errors", "show", "invoice_error", "--json");

            Assert.True(show.ExitCode == ExitCodes.Ok, show.Error);
            using var shown = JsonDocument.Parse(show.Output);
            Assert.Equal("invoice_error", shown.RootElement.GetProperty("queue").GetString());
            var message = Assert.Single(shown.RootElement.GetProperty("messages").EnumerateArray());
            Assert.Equal(messageId.ToString(), message.GetProperty("messageId").GetString());
            Assert.Equal("System.InvalidOperationException: broken invoice", message.GetProperty("exception").GetString());
            Assert.Equal("invoice", message.GetProperty("replayTo").GetString());
            Assert.Equal("2 redelivered, 3 retried", message.GetProperty("attempts").GetString());
            foreach (var field in new[] { "messageType", "reason", "firstFailure" })
            {
                Assert.True(message.TryGetProperty(field, out _), $"no {field}");
            }
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>A message as MassTransit parks it after its last attempt: fault headers, in the error queue.</summary>
    private async Task ParkAsync(string vhost, string queue, Guid messageId)
    {
        await using var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        var properties = new BasicProperties
        {
            MessageId = messageId.ToString(),
            ContentType = "application/vnd.masstransit+json",
            Headers = new Dictionary<string, object?>
            {
                ["MT-Fault-ExceptionType"] = "System.InvalidOperationException",
                ["MT-Fault-Message"] = "broken invoice",
                ["MT-Fault-InputAddress"] = $"rabbitmq://127.0.0.1/{vhost}/invoice",
                ["MT-Redelivery-Count"] = "2",
                ["MT-Fault-RetryCount"] = "3",
                ["MT-Reason"] = "fault",
            },
        };
        var body = Encoding.UTF8.GetBytes("""{"messageType":["urn:message:MicroComms.IntegrationTests:Invoice"],"message":{"number":7}}""");
        await channel.BasicPublishAsync("", queue, mandatory: false, properties, body);
    }
}
