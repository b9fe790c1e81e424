using MicroComms.Testing;
using Microsoft.Playwright;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>
/// One broker virtual host, one set of services with the console (Payments failing until fixed) and one chromium for
/// a whole spec class.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private readonly BrowserFixture _browser = new();

    public RabbitMqNode Node { get; private set; } = null!;

    public ConsoleServices Services { get; private set; } = null!;

    public IBrowser Browser => _browser.Browser;

    public async Task InitializeAsync()
    {
        Node = await RabbitMqNode.StartDefaultAsync();
        var virtualHost = await Node.CreateVirtualHostAsync("console");
        Services = await ConsoleServices.StartAsync(Node, virtualHost, paymentsFail: true);
        await _browser.InitializeAsync();
    }

    /// <summary>A fresh browser context (its own cookies), logged in to the console.</summary>
    public async Task<IPage> LoggedInPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Services.Console.ToString() });
        var page = await context.NewPageAsync();
        await ConsolePages.LogInAsync(page, ConsoleServices.Password);
        return page;
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        if (Services is not null)
        {
            await Services.DisposeAsync();
            await Node.DeleteVirtualHostAsync(Services.VirtualHost);
        }
    }
}
