using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MicroComms.Host;
using MicroComms.Host.Health;
using MicroComms.IntegrationTests.Outbox;
using MicroComms.Testing;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests.Health;

/// <summary>
/// <c>/health/ready</c> of a running service tells the truth about its broker: a node stopped under it turns ready
/// Unhealthy (503, naming the bus), and the same process turns Healthy again once the node is back, without a restart.
/// Runs on the private outage node, which it stops and starts. How long each flip took is written to the test output
/// (the goal is 5 s; a figure, not an assertion).
/// </summary>
[Trait("Needs", "Broker")]
public sealed class HealthBrokerOutage_Specs(OutageNodeFixture fixture, ITestOutputHelper output) : IClassFixture<OutageNodeFixture>
{
    private static readonly TimeSpan FlipBound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Ready_goes_unhealthy_when_the_broker_stops_and_healthy_again_when_it_returns_without_a_restart()
    {
        var node = fixture.Node;
        var vhost = await node.CreateVirtualHostAsync("health-outage");
        var settings = node.Settings(vhost);
        settings["MicroComms:Host:Services"] = "orders";
        settings["MicroComms:Host:DataDirectory"] = TestFiles.Path($"health-outage-{Guid.NewGuid():N}");
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["MicroComms:Host:GrpcUrl"] = "";
        settings["Logging:LogLevel:Default"] = "Warning";
        await using var app = MicroCommsApp.Build(settings);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(app)[0], Timeout = TimeSpan.FromSeconds(10) };
            var (up, _) = await WaitForAsync(http, HttpStatusCode.OK, Stopwatch.StartNew());
            Assert.Equal("Healthy", up.GetProperty("health").GetString());

            // Polled while the node stops and starts, so each flip is timed from when the node began to go or come.
            var stopping = Stopwatch.StartNew();
            var goingDown = WaitForAsync(http, HttpStatusCode.ServiceUnavailable, stopping);
            await node.StopAsync();
            var stopped = stopping.Elapsed;
            var (down, wentDown) = await goingDown;

            var starting = Stopwatch.StartNew();
            var comingBack = WaitForAsync(http, HttpStatusCode.OK, starting, healthyOnly: true);
            await node.StartAgainAsync();
            var started = starting.Elapsed;
            var (back, cameBack) = await comingBack;

            output.WriteLine($"ready answered 503 {Seconds(wentDown)} after the node began to stop (stopping took {Seconds(stopped)})");
            output.WriteLine(
                $"ready answered 200 Healthy {Seconds(cameBack)} after the node began to start, {Seconds(cameBack - started)} after it was up "
                + $"(starting took {Seconds(started)})");
            var bus = Check(down, "bus");
            Assert.Equal("Unhealthy", bus.GetProperty("health").GetString());
            Assert.Equal("Healthy", Check(down, "orders-store").GetProperty("health").GetString());
            Assert.Contains("bus: ", down.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal("Healthy", Check(back, "bus").GetProperty("health").GetString());
        }
        finally
        {
            await node.StartAgainAsync();
            await app.StopAsync();
            await node.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>
    /// Polls ready until it answers <paramref name="status"/> (and, if asked, every check is Healthy), bounded; returns
    /// the answer and the <paramref name="clock"/>'s reading when it came.
    /// </summary>
    private static async Task<(JsonElement Body, TimeSpan At)> WaitForAsync(HttpClient http, HttpStatusCode status, Stopwatch clock, bool healthyOnly = false)
    {
        JsonElement body = default;
        var at = TimeSpan.Zero;
        await Poll.Until(async () =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri(HealthEndpoints.ReadyPath, UriKind.Relative));
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                body = document.RootElement.Clone();
                at = clock.Elapsed;
                return response.StatusCode == status && (!healthyOnly || body.GetProperty("health").GetString() == "Healthy");
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, FlipBound, $"/health/ready answers {(int)status}");
        return (body, at);
    }

    private static JsonElement Check(JsonElement report, string name) =>
        report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.0} s";
}
