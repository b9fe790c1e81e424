using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MicroComms.Gateway;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>
/// Issue 21: the operator console in Debian's chromium over the real broker. Waits are Playwright's auto-retrying
/// expectations on what the page shows, so the page's own live updates are what the specs wait for (no reloads,
/// no sleeps). Every page visited is screenshotted and checked for accessibility.
/// </summary>
[Trait("Needs", "Broker")]
[Trait("Needs", "Browser")]
public sealed partial class ConsoleBrowser_Specs(ConsoleFixture console, ITestOutputHelper output) : IClassFixture<ConsoleFixture>
{
    private const string ChargeErrors = "charge-payment_error";

    // Long enough for a charge to fail, be retried and parked, or for a replayed one to finish its order, on two busy cores.
    private static readonly LocatorAssertionsToBeVisibleOptions Arrives = new() { Timeout = 60_000 };

    [Fact]
    public async Task An_operator_logs_in_sees_a_failed_charge_parked_cannot_be_bypassed_replays_it_after_the_fix_and_sees_the_queue_empty_and_the_order_completed()
    {
        var problems = new List<string>();
        var anonymous = await console.Browser.NewPageAsync(new() { BaseURL = console.Services.Console.ToString() });
        await anonymous.GotoAsync(ConsolePages.Queues);
        await Expect(anonymous).ToHaveURLAsync(new Regex("/console/login"));
        await anonymous.GetByLabel("Password").FillAsync("not the password");
        await anonymous.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(anonymous.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await CheckAsync(anonymous, "login", problems);
        await anonymous.Context.CloseAsync();

        var page = await console.LoggedInPageAsync();
        await page.GotoAsync(ConsolePages.Queues);
        var orderId = await PlaceOrderAsync();

        // The queue appears on the open page by itself once the charge fails twice and is parked.
        var errorQueueLink = page.GetByRole(AriaRole.Link, new() { Name = ChargeErrors });
        await Expect(errorQueueLink).ToBeVisibleAsync(Arrives);
        // The queue is declared before the message reaches it: wait for its count (the management API samples every few seconds).
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { Has = errorQueueLink }).GetByRole(AriaRole.Cell).Nth(1))
            .ToHaveTextAsync("1", new() { Timeout = 60_000 });
        await CheckAsync(page, "queues", problems);

        await errorQueueLink.ClickAsync();
        await Expect(ConsolePages.Heading(page)).ToContainTextAsync(ChargeErrors);
        var row = page.GetByRole(AriaRole.Checkbox);
        await Expect(row).ToHaveCountAsync(1);
        await Expect(page.Locator("main")).ToContainTextAsync("PaymentProviderUnavailableException");
        var messageId = MessageIdIn(await page.Locator("main").InnerTextAsync(), orderId);
        var changes = new HashSet<string>(await ChangeActionsAsync(page), StringComparer.Ordinal);
        await CheckAsync(page, "error-queue", problems);

        await page.GotoAsync(ConsolePages.Message(ChargeErrors, messageId));
        await Expect(page.Locator("main")).ToContainTextAsync(orderId.ToString());
        await Expect(page.Locator("main")).ToContainTextAsync("MT-Fault-ExceptionType");
        changes.UnionWith(await ChangeActionsAsync(page));
        await CheckAsync(page, "message", problems);

        // Before the fix, so a change that slipped through would replay into the failing Payments and park the message again.
        await AssertRefusedAsync(changes);
        Assert.Equal(1u, await console.Node.MessageCountAsync(console.Services.VirtualHost, ChargeErrors));

        // The fix, then two operators replaying the same message at once: one replays it, the other is told it is gone.
        await console.Services.FixPaymentsAsync();
        var second = await console.LoggedInPageAsync();
        await second.GotoAsync(ConsolePages.Message(ChargeErrors, messageId));
        await Task.WhenAll(
            page.GetByRole(AriaRole.Button, new() { Name = "Replay", Exact = true }).ClickAsync(),
            second.GetByRole(AriaRole.Button, new() { Name = "Replay", Exact = true }).ClickAsync());
        await Expect(ConsolePages.Alerts(page).First).ToBeVisibleAsync();
        await Expect(ConsolePages.Alerts(second).First).ToBeVisibleAsync();
        var answers = new[] { await ConsolePages.Alerts(page).First.InnerTextAsync(), await ConsolePages.Alerts(second).First.InnerTextAsync() };
        output.WriteLine("the racing replays answered: " + string.Join(" | ", answers));
        Assert.Contains(answers, a => a.Contains("replayed", StringComparison.OrdinalIgnoreCase));
        await CheckAsync(second, "message-replayed", problems);
        await second.Context.CloseAsync();

        await page.GotoAsync(ConsolePages.Queue(ChargeErrors));
        await Expect(page.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(0, new() { Timeout = 30_000 });

        await page.GotoAsync(ConsolePages.Timeline(orderId));
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "State Completed", Exact = true })).ToBeVisibleAsync(Arrives);
        await CheckAsync(page, "timeline", problems);

        await page.GotoAsync(ConsolePages.Sagas);
        await Expect(page.Locator("main")).ToContainTextAsync("Completed");
        await CheckAsync(page, "sagas", problems);

        await page.GotoAsync(ConsolePages.Outbox);
        await Expect(ConsolePages.Heading(page)).ToBeVisibleAsync();
        await CheckAsync(page, "outbox", problems);

        await page.GotoAsync(ConsolePages.Scheduler);
        await Expect(ConsolePages.Heading(page)).ToBeVisibleAsync();
        await CheckAsync(page, "scheduler", problems);

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task An_unknown_queue_and_an_unknown_message_get_a_clear_message_on_the_page_and_never_a_server_error()
    {
        var page = await console.LoggedInPageAsync();
        var problems = new List<string>();

        var queue = await page.GotoAsync(ConsolePages.Queue("no-such-queue_error"));
        Assert.InRange(queue!.Status, 400, 499);
        await Expect(ConsolePages.Alerts(page).First).ToContainTextAsync("no-such-queue_error");
        await CheckAsync(page, "unknown-queue", problems);

        var message = await page.GotoAsync(ConsolePages.Message(ChargeErrors, Guid.NewGuid().ToString()));
        Assert.InRange(message!.Status, 400, 499);
        await Expect(ConsolePages.Alerts(page).First).ToBeVisibleAsync();

        var notAQueue = await page.GotoAsync(ConsolePages.Queue("orders; DROP TABLE"));
        Assert.InRange(notAQueue!.Status, 200, 499);
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    // Without a login: 401/403 or a redirect to the login page; never the change, never a 404 (a change endpoint that does
    // not exist refuses nothing).
    private static bool IsRefusal(int status, string? location) =>
        status is 401 or 403
        || (status is 302 or 303 && location?.Contains("/console/login", StringComparison.Ordinal) == true);

    /// <summary>Every change the page offers: where its POST forms' buttons submit to (a button's formaction, else the form's action).</summary>
    private static async Task<IReadOnlyList<string>> ChangeActionsAsync(IPage page) =>
        await page.Locator("form").EvaluateAllAsync<string[]>(
            """
            forms => forms
              .filter(f => f.method.toLowerCase() === 'post')
              .flatMap(f => {
                const buttons = [...f.querySelectorAll('button[formaction], input[formaction]')].map(b => b.formAction);
                return buttons.length ? buttons : [f.action];
              })
              .map(a => { const url = new URL(a, location.href); return url.pathname + url.search; })
            """);

    /// <summary>Posts to each change without a login, then logged in but without the anti-forgery token (as another site could).</summary>
    private async Task AssertRefusedAsync(IReadOnlyCollection<string> changes)
    {
        Assert.NotEmpty(changes);
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var anonymous = new HttpClient(handler) { BaseAddress = console.Services.Console };
        var page = await console.LoggedInPageAsync();
        // The logout last: were it to go through, the session the other forged posts need would be gone.
        foreach (var change in changes.OrderBy(c => c.Contains("/logout", StringComparison.Ordinal)))
        {
            using var answer = await anonymous.PostAsync(change, new FormUrlEncodedContent([]));
            output.WriteLine($"POST {change} without a login: {(int)answer.StatusCode} {answer.Headers.Location}");
            Assert.True(IsRefusal((int)answer.StatusCode, answer.Headers.Location?.ToString()), $"POST {change} without a login answered {(int)answer.StatusCode}");

            // Exactly 400, the anti-forgery refusal: a redirect here would be the change made (a logout, a replay's answer).
            var forged = await page.APIRequest.PostAsync(change, new() { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
            output.WriteLine($"POST {change} logged in, no anti-forgery token: {forged.Status}");
            Assert.True(forged.Status == 400, $"POST {change} without an anti-forgery token answered {forged.Status}");
        }

        await page.Context.CloseAsync();
    }

    private async Task<Guid> PlaceOrderAsync()
    {
        using var http = new HttpClient { BaseAddress = console.Services.Gateway };
        var placed = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(null, "alice", [new PlaceOrderLine("KB-101", 1, 25m)]));
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        var body = await placed.Content.ReadFromJsonAsync<OrderPlaced>();
        output.WriteLine($"placed order {body!.OrderId}");
        return body.OrderId;
    }

    /// <summary>The parked message's id: the one Guid on the error queue's page that is not the order's.</summary>
    private static string MessageIdIn(string pageText, Guid orderId)
    {
        var ids = AnyGuid().Matches(pageText).Select(m => m.Value).Where(v => !Guid.Parse(v).Equals(orderId)).Distinct().ToList();
        return Assert.Single(ids);
    }

    private async Task CheckAsync(IPage page, string name, List<string> problems)
    {
        var screenshot = await Screenshots.SaveAsync(page, "console-" + name);
        output.WriteLine($"{name}: {page.Url} -> {screenshot}");
        var violations = (await Accessibility.ViolationsAsync(page)).Concat(
            (await Accessibility.UnreachableByKeyboardAsync(page)).Select(html => "not reachable by Tab: " + html));
        foreach (var violation in violations)
        {
            var line = $"{name} ({page.Url}): {violation}";
            output.WriteLine(line);
            problems.Add(line);
        }
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex AnyGuid();
}
