using System.Text;
using MicroComms.Host;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using RabbitMQ.Client;

namespace MicroComms.IntegrationTests.WebConsole;

/// <summary>
/// One console process for a spec class on the test broker, in a fresh virtual host, with a stand-in endpoint queue and
/// its error queue; messages are parked there the way MassTransit parks them (fault headers, message id).
/// </summary>
public sealed class ConsoleBrokerHost : IAsyncLifetime
{
    public const string Queue = "console-widgets";
    public const string ErrorQueue = Queue + "_error";

    private WebApplication _app = null!;

    public RabbitMqNode Node { get; private set; } = null!;

    public string VirtualHost { get; private set; } = "";

    public Uri Console { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await RabbitMqNode.StartDefaultAsync();
        VirtualHost = await Node.CreateVirtualHostAsync("console");
        await using (var connection = await Node.ConnectAsync(VirtualHost))
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueDeclareAsync(ErrorQueue, durable: true, exclusive: false, autoDelete: false);
        }

        var settings = Node.Settings(VirtualHost);
        settings["MicroComms:Host:Services"] = "console";
        settings["MicroComms:Host:DataDirectory"] = TestFiles.Path($"console-broker-{Guid.NewGuid():N}");
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["MicroComms:Host:GrpcUrl"] = "";
        settings["Logging:LogLevel:Default"] = "Warning";
        _app = MicroCommsApp.Build(settings);
        await _app.StartAsync();
        Console = MicroCommsApp.ConsoleAddress(_app)!;
    }

    /// <summary>Parks messages with fresh ids in <see cref="ErrorQueue"/>, as a consumer's last failure would; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> ParkAsync(int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToList();
        await using var connection = await Node.ConnectAsync(VirtualHost);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        foreach (var id in ids)
        {
            var properties = new BasicProperties
            {
                MessageId = id,
                ContentType = "application/json",
                Persistent = true,
                Headers = new Dictionary<string, object?>
                {
                    ["MT-Fault-ExceptionType"] = "System.InvalidOperationException",
                    ["MT-Fault-Message"] = $"widget {id} is broken",
                    ["MT-Fault-InputAddress"] = $"rabbitmq://localhost/{VirtualHost}/{Queue}",
                    ["MT-Reason"] = "fault",
                },
            };
            await channel.BasicPublishAsync(string.Empty, ErrorQueue, mandatory: true, properties, Encoding.UTF8.GetBytes($"{{\"widget\":\"{id}\"}}"));
        }

        return ids;
    }

    /// <summary>Takes every message off <paramref name="queue"/> (acknowledged) and returns their ids and replay headers.</summary>
    public async Task<IReadOnlyList<(string Id, string? ReplayedFrom)>> DrainAsync(string queue)
    {
        await using var connection = await Node.ConnectAsync(VirtualHost);
        await using var channel = await connection.CreateChannelAsync();
        var taken = new List<(string, string?)>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
        {
            var from = got.BasicProperties.Headers?.TryGetValue("MicroComms-Replayed-From", out var value) == true && value is byte[] bytes
                ? Encoding.UTF8.GetString(bytes)
                : null;
            taken.Add((got.BasicProperties.MessageId ?? "", from));
        }

        return taken;
    }

    public async Task<uint> CountAsync(string queue)
    {
        await using var connection = await Node.ConnectAsync(VirtualHost);
        await using var channel = await connection.CreateChannelAsync();
        return await channel.MessageCountAsync(queue);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Node.DeleteVirtualHostAsync(VirtualHost);
    }
}
