using System.Net;
using MicroComms.Host;
using MicroComms.Host.WebConsole;
using MicroComms.IntegrationTests.Outbox;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests.WebConsole;

/// <summary>
/// A console page opened while the broker is down says so, naming the broker, as a 503 page, never a failed request;
/// the pages that need no broker (outbox, sagas) still answer. Runs on the private outage node, which it stops and starts.
/// </summary>
[Trait("Needs", "Broker")]
public sealed class WebConsoleBrokerOutage_Specs(OutageNodeFixture fixture) : IClassFixture<OutageNodeFixture>
{
    [Fact]
    public async Task Pages_opened_while_the_broker_is_down_name_the_broker_and_the_rest_of_the_console_still_answers()
    {
        var node = fixture.Node;
        var vhost = await node.CreateVirtualHostAsync("console-outage");
        var settings = node.Settings(vhost);
        settings["MicroComms:Host:Services"] = "console";
        settings["MicroComms:Host:DataDirectory"] = TestFiles.Path($"console-outage-{Guid.NewGuid():N}");
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["MicroComms:Host:GrpcUrl"] = "";
        settings["MicroComms:RabbitMq:ManagementTimeout"] = "00:00:02";
        settings["Logging:LogLevel:Default"] = "Warning";
        await using var app = MicroCommsApp.Build(settings);
        await app.StartAsync();
        try
        {
            using var session = new ConsoleSession(MicroCommsApp.ConsoleAddress(app)!);
            Assert.Equal(HttpStatusCode.Redirect, (await session.LogInAsync(ConsolePassword.DevelopmentPassword)).StatusCode);

            await node.StopAsync();
            var queues = await session.GetAsync("/console/queues");
            var parked = await session.GetAsync("/console/queues/anything_error");
            var outbox = await session.GetAsync("/console/outbox");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, queues.Status);
            Assert.Contains(ConsoleSession.Messages(queues.Html), m => m.StartsWith("The RabbitMQ management API is not reachable", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, parked.Status);
            Assert.Contains(ConsoleSession.Messages(parked.Html), m => m.StartsWith("RabbitMQ is not reachable at 127.0.0.1:", StringComparison.Ordinal));
            Assert.Contains("<nav aria-label=\"Console pages\">", parked.Html, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, outbox.Status);
        }
        finally
        {
            await node.StartAgainAsync();
            await app.StopAsync();
            await node.DeleteVirtualHostAsync(vhost);
        }
    }
}
