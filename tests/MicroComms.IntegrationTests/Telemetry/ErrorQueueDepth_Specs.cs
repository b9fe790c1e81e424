using System.Text;
using System.Text.RegularExpressions;
using MicroComms.Host;
using MicroComms.Testing;
using RabbitMQ.Client;

namespace MicroComms.IntegrationTests.Telemetry;

/// <summary>
/// <c>microcomms.error_queue.messages</c> on <c>/metrics</c>: the depth of each error queue, read from the management
/// API as the operator user when scraped. The broker samples its counts every few seconds, hence the polling.
/// </summary>
[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class ErrorQueueDepth_Specs(BrokerFixture broker)
{
    private const string ErrorQueue = "telemetry-probe_error";

    [Fact]
    public async Task The_error_queue_gauge_follows_the_messages_parked_in_an_error_queue()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("error-depth");
        await using var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(ErrorQueue, durable: true, exclusive: false, autoDelete: false);
        await ParkAsync(channel);

        var settings = broker.Node.Settings(vhost);
        settings["MicroComms:Host:Services"] = "notifications";
        settings["MicroComms:Host:DataDirectory"] = TestFiles.Path($"error-depth-{Guid.NewGuid():N}");
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["Logging:LogLevel:Default"] = "Warning";
        await using var app = MicroCommsApp.Build(settings);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(app)[0] };

        await Poll.Until(async () => Depth(await http.GetStringAsync("/metrics")) == 1, TimeSpan.FromSeconds(60));
        await ParkAsync(channel);
        await Poll.Until(async () => Depth(await http.GetStringAsync("/metrics")) == 2, TimeSpan.FromSeconds(60));
    }

    private static async Task ParkAsync(IChannel channel) =>
        await channel.BasicPublishAsync("", ErrorQueue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("{}"));

    /// <summary>The gauge's value for the probe queue in Prometheus' text format, or null while it is not there.</summary>
    private static long? Depth(string metrics)
    {
        var line = Regex.Match(metrics, "^microcomms_error_queue_messages\\{[^}]*queue=\"" + ErrorQueue + "\"[^}]*\\} (\\d+)", RegexOptions.Multiline);
        return line.Success ? long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
