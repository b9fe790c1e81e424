using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>How an operator uses the console's pages: by their labels, roles and link names, as a screen reader would.</summary>
internal static class ConsolePages
{
    public const string Queues = "/console/queues";
    public const string Outbox = "/console/outbox";
    public const string Sagas = "/console/sagas";
    public const string Scheduler = "/console/scheduler";
    public const string Login = "/console/login";

    public static string Queue(string queue) => $"/console/queues/{Uri.EscapeDataString(queue)}";

    public static string Message(string queue, string messageId) => $"{Queue(queue)}/messages/{Uri.EscapeDataString(messageId)}";

    public static string Timeline(Guid orderId) => $"/console/sagas/{orderId}";

    public static async Task LogInAsync(IPage page, string password)
    {
        await page.GotoAsync(Login);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/login"));
    }

    /// <summary>The page's main heading: every console page has one, and waiting for it waits for the page.</summary>
    public static ILocator Heading(IPage page) => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    /// <summary>The page's messages to the operator (errors, confirmations), as the console marks them.</summary>
    public static ILocator Alerts(IPage page) => page.Locator("[role=alert], [role=status]");
}
