using MicroComms.Host;
using MicroComms.Host.WebConsole;
using MicroComms.IntegrationTests.Outbox;
using MicroComms.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>
/// Issue 21, bad input: a console page opened while the broker is down says so on the page (an alert, a 503, naming the
/// broker), never a server error page; the pages that need no broker (outbox) still answer, and the queues page reads the
/// queues again by itself once the broker is back. Runs on the private outage
/// node, which it stops and starts.
/// </summary>
[Trait("Needs", "Broker")]
[Trait("Needs", "Browser")]
public sealed class ConsoleBrokerOutage_Specs(OutageNodeFixture broker, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<OutageNodeFixture>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_queues_page_opened_while_the_broker_is_down_shows_why_and_reads_the_queues_again_when_it_is_back()
    {
        var node = broker.Node;
        var virtualHost = await node.CreateVirtualHostAsync("console-outage");
        var settings = node.Settings(virtualHost);
        settings["MicroComms:Host:Services"] = "orders,console";
        settings["MicroComms:Host:DataDirectory"] = TestFiles.Path($"console-outage-{Guid.NewGuid():N}");
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["MicroComms:Host:GrpcUrl"] = "";
        settings["MicroComms:Console:PasswordHash"] = ConsolePassword.Hash(ConsoleServices.Password);
        settings["Logging:LogLevel:Default"] = "Warning";
        await using var app = MicroCommsApp.Build(settings);
        await app.StartAsync();
        try
        {
            var context = await browser.Browser.NewContextAsync(new() { BaseURL = new Uri(MicroCommsApp.ConsoleAddress(app)!, "/").ToString() });
            var page = await context.NewPageAsync();
            await ConsolePages.LogInAsync(page, ConsoleServices.Password);
            await page.GotoAsync(ConsolePages.Queues);
            await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "order-state", Exact = true })).ToBeVisibleAsync();

            await node.StopAsync();
            var down = await page.GotoAsync(ConsolePages.Queues);
            output.WriteLine($"queues page with the broker down: {down!.Status}");
            Assert.Equal(503, down.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
            output.WriteLine("it says: " + await page.GetByRole(AriaRole.Alert).InnerTextAsync());
            await Expect(ConsolePages.Heading(page)).ToHaveTextAsync("Queues");
            await Screenshots.SaveAsync(page, "console-broker-down");
            await Accessibility.AssertAccessibleAsync(page, "queues page, broker down");

            // The other pages: a parked queue says which broker it could not reach; the outbox needs no broker.
            var parked = await page.GotoAsync(ConsolePages.Queues + "/anything_error");
            Assert.Equal(503, parked!.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("RabbitMQ is not reachable at 127.0.0.1:");
            var outbox = await page.GotoAsync(ConsolePages.Outbox);
            Assert.Equal(200, outbox!.Status);
            await Expect(ConsolePages.Heading(page)).ToHaveTextAsync("Outbox");
            await page.GotoAsync(ConsolePages.Queues);

            await node.StartAgainAsync();
            // The open page's own polling brings the queues back: no reload.
            await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "order-state", Exact = true })).ToBeVisibleAsync(new() { Timeout = 60_000 });
            var back = await page.ReloadAsync();
            Assert.Equal(200, back!.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
            await context.CloseAsync();
        }
        finally
        {
            await app.StopAsync();
            await node.DeleteVirtualHostAsync(virtualHost);
        }
    }
}
