using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MicroComms.Contracts;
using MicroComms.Host;
using MicroComms.Messaging;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests.Security;

/// <summary>AMQP over TLS (<c>MicroComms:RabbitMq:UseTls</c>) against a node with a self-signed certificate.</summary>
[Trait("Needs", "Broker")]
public sealed class BrokerTls_Specs(TlsNodeFixture tls) : IClassFixture<TlsNodeFixture>
{
    [Fact]
    public async Task A_request_and_its_answer_go_over_TLS_when_the_generated_certificate_authority_is_trusted()
    {
        var vhost = await tls.Node.CreateVirtualHostAsync("tls");
        var data = TestFiles.Path($"tls-{Guid.NewGuid():N}");
        await using var app = MicroCommsApp.Build(Settings(vhost, data, tls.Node.TlsCaFile));
        try
        {
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(app)[0] };

            // The Gateway asks Inventory over the bus (CheckStock) and waits for its answer on the bus's reply queue.
            var level = await http.GetFromJsonAsync<StockLevel>("/stock/KB-101");

            Assert.Equal("KB-101", level!.Sku);
            // The management API lists connections once its statistics catch up (every few seconds).
            using var management = tls.Node.ManagementClient();
            var connections = new List<JsonElement>();
            await Poll.Until(
                async () =>
                {
                    using var listed = JsonDocument.Parse(await management.GetStringAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}/connections"));
                    connections = listed.RootElement.EnumerateArray().Select(c => c.Clone()).ToList();
                    return connections.Count > 0;
                },
                TimeSpan.FromSeconds(30),
                "the process's connections are listed");
            Assert.All(connections, c => Assert.True(c.GetProperty("ssl").GetBoolean(), $"connection {c.GetProperty("name")} is not TLS"));
        }
        finally
        {
            await app.StopAsync();
            await tls.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_broker_certificate_nobody_trusts_stops_start_up_with_a_sentence_naming_the_setting_to_fix()
    {
        var data = TestFiles.Path($"tls-untrusted-{Guid.NewGuid():N}");
        await using var app = MicroCommsApp.Build(Settings(tls.Node.VirtualHost, data, caFile: null));

        var error = await Assert.ThrowsAsync<BrokerUnreachableException>(() => app.StartAsync());

        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("MicroComms:RabbitMq:TlsCaFile", error.Message, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings(string vhost, string data, string? caFile)
    {
        var settings = tls.Node.Settings(vhost);
        settings["MicroComms:RabbitMq:Port"] = tls.TlsPort.ToString(CultureInfo.InvariantCulture);
        settings["MicroComms:RabbitMq:UseTls"] = "true";
        settings["MicroComms:RabbitMq:TlsCaFile"] = caFile;
        settings["MicroComms:RabbitMq:ConnectTimeout"] = "00:00:05";
        settings["MicroComms:Host:Services"] = "inventory,gateway";
        settings["MicroComms:Host:DataDirectory"] = data;
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["MicroComms:Host:GrpcUrl"] = "";
        settings["Logging:LogLevel:Default"] = "Warning";
        return settings;
    }
}
