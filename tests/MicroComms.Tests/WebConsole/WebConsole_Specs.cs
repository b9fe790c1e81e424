using System.Net;
using MicroComms.Host;
using MicroComms.Host.WebConsole;
using MicroComms.Testing;
using Microsoft.Extensions.Options;

namespace MicroComms.Tests.WebConsole;

/// <summary>
/// The operator console over HTTP, as a browser without script uses it: login everywhere, anti-forgery on every change,
/// and each page's answers, including to bad input. One console process for the class (<see cref="ConsoleHost"/>).
/// </summary>
public sealed class WebConsole_Specs(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    /// <summary>The completed order's timeline as the page writes it (HTML-encoded), in the order it must show it.</summary>
    private static readonly string[] CompletedSteps =
        ["Submitted: the workflow started", "OrderSubmitted -&gt; Submitted<", "StockReserved -&gt; AwaitingPayment<", "PaymentCompleted -&gt; Completed<"];

    [Theory]
    [InlineData("/console/queues")]
    [InlineData("/console/queues/orders_error")]
    [InlineData("/console/queues/orders_error/messages/1")]
    [InlineData("/console/outbox")]
    [InlineData("/console/sagas")]
    [InlineData("/console/sagas/3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("/console/scheduler")]
    public async Task Every_page_asked_for_without_a_login_is_redirected_to_the_login_page(string path)
    {
        using var anonymous = new ConsoleSession(host.Console);

        using var response = await anonymous.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/console/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_posted_without_a_login_is_refused_and_nothing_is_replayed()
    {
        var id = await host.SetAsideOutboxRowAsync("no login");
        using var anonymous = new ConsoleSession(host.Console);

        using var response = await anonymous.PostWithoutTokenAsync("/console/outbox?handler=Replay", ("service", "orders"), ("messageId", id.ToString()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(await host.IsSetAsideAsync(id));
    }

    [Fact]
    public async Task A_replay_posted_without_its_anti_forgery_token_is_refused_and_nothing_is_replayed()
    {
        var id = await host.SetAsideOutboxRowAsync("no token");
        using var session = await LoggedInAsync();

        using var response = await session.PostWithoutTokenAsync("/console/outbox?handler=Replay", ("service", "orders"), ("messageId", id.ToString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await host.IsSetAsideAsync(id));
    }

    [Fact]
    public async Task A_wrong_password_is_answered_on_the_login_page_in_an_alert()
    {
        using var session = new ConsoleSession(host.Console);

        using var response = await session.LogInAsync("not the password");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Wrong password.", ConsoleSession.Messages(await response.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await session.Http.GetAsync("/console/queues")).StatusCode);
    }

    [Fact]
    public async Task The_outbox_page_shows_a_set_aside_row_with_its_reason_and_replays_it_back_in_line()
    {
        var id = await host.SetAsideOutboxRowAsync("ArgumentException: poison for the outbox page");
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync("/console/outbox");
        using var replay = await session.PostAsync("/console/outbox", "/console/outbox?handler=Replay", ("service", "orders"), ("messageId", id.ToString()));
        var (_, after) = await session.FollowAsync(replay);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(id.ToString(), page, StringComparison.Ordinal);
        Assert.Contains("ArgumentException: poison for the outbox page", page, StringComparison.Ordinal);
        Assert.Contains("orders: 1 message put back in line; the service sends them on its next delivery pass.", ConsoleSession.Messages(after));
        Assert.False(await host.IsSetAsideAsync(id));
    }

    [Fact]
    public async Task Replaying_an_outbox_row_that_is_no_longer_set_aside_says_so_and_changes_nothing()
    {
        using var session = await LoggedInAsync();
        var missing = Guid.NewGuid();

        using var replay = await session.PostAsync("/console/outbox", "/console/outbox?handler=Replay", ("service", "orders"), ("messageId", missing.ToString()));
        var (_, after) = await session.FollowAsync(replay);

        Assert.Contains($"No set-aside outbox message {missing} in orders: it was already replayed or purged.", ConsoleSession.Messages(after));
    }

    [Fact]
    public async Task Purging_every_set_aside_outbox_row_asks_first_with_a_confirmation_and_deletes_nothing_until_then()
    {
        var id = await host.SetAsideOutboxRowAsync("purge me");
        using var session = await LoggedInAsync();

        using var ask = await session.PostAsync("/console/outbox", "/console/outbox?handler=Purge", ("service", "orders"));
        var question = await ask.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        Assert.Contains("Delete every set-aside message of orders for good?", question, StringComparison.Ordinal);
        Assert.Contains("Confirm purge", question, StringComparison.Ordinal);
        Assert.True(await host.IsSetAsideAsync(id));
    }

    [Fact]
    public async Task The_sagas_page_counts_workflows_by_state_and_lists_those_not_final_past_the_threshold()
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync("/console/sagas?olderThan=00:30:00");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Matches("<td>Completed</td><td class=\"num\">2</td>", page);
        Assert.Matches("<td>AwaitingPayment</td><td class=\"num\">1</td>", page);
        Assert.Matches("<td>Submitted</td><td class=\"num\">1</td>", page);
        Assert.Contains($"/console/sagas/{ConsoleHost.OldOpenOrder}", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"/console/sagas/{ConsoleHost.NewOpenOrder}", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_order_s_timeline_shows_its_state_and_when_it_started()
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync($"/console/sagas/{ConsoleHost.OldOpenOrder}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<td>AwaitingPayment</td>", page, StringComparison.Ordinal);
        Assert.Contains("Submitted: the workflow started", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_order_s_timeline_lists_every_state_change_in_order_with_the_message_that_caused_it()
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync($"/console/sagas/{ConsoleHost.CompletedOrder}");

        Assert.Equal(HttpStatusCode.OK, status);
        var steps = CompletedSteps.Select(step => page.IndexOf(step, StringComparison.Ordinal))
            .ToList();
        Assert.DoesNotContain(-1, steps);
        Assert.Equal(steps.Order(), steps);
        Assert.DoesNotContain("Finished: ", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timed_out_order_s_timeline_shows_the_timeout_and_its_reason()
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync($"/console/sagas/{ConsoleHost.TimedOutOrder}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"PaymentTimedOut -&gt; Faulted ({ConsoleHost.TimeoutReason})", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/console/sagas/not-a-guid", "'not-a-guid' is not an order id (a GUID).")]
    [InlineData("/console/sagas/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "No order workflow with id 3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("/console/queues/orders", "'orders' is not an error or skipped queue")]
    public async Task A_page_for_something_that_is_not_there_says_so_with_a_404(string path, string message)
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains(ConsoleSession.Messages(page), m => m.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_queues_page_of_an_in_memory_process_says_there_is_no_broker_instead_of_failing()
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync("/console/queues");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(ConsoleSession.Messages(page), m => m.StartsWith("This process runs on the in-memory transport", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_console_answers_only_on_its_own_address_and_the_rest_only_on_theirs()
    {
        using var http = new HttpClient();

        using var consoleOnHostPort = await http.GetAsync(new Uri(host.Http, "/console/login"));
        using var healthOnConsolePort = await http.GetAsync(new Uri(host.Console, "/health/live"));
        using var healthOnHostPort = await http.GetAsync(new Uri(host.Http, "/health/live"));

        Assert.Equal(HttpStatusCode.NotFound, consoleOnHostPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, healthOnConsolePort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthOnHostPort.StatusCode);
    }

    [Fact]
    public void A_password_hash_verifies_its_own_password_and_no_other()
    {
        var hash = ConsolePassword.Hash("correct horse battery staple");

        var password = ConsolePassword.From(new ConsoleOptions { PasswordHash = hash, Url = "http://0.0.0.0:5082" });

        Assert.DoesNotContain("correct horse", hash, StringComparison.Ordinal);
        Assert.True(password.Verify("correct horse battery staple"));
        Assert.False(password.Verify("correct horse battery stapler"));
        Assert.False(password.Verify(ConsolePassword.DevelopmentPassword));
    }

    [Fact]
    public void A_console_off_loopback_without_a_password_hash_refuses_to_start()
    {
        var refused = Assert.Throws<HostConfigurationException>(() => ConsolePassword.From(new ConsoleOptions { Url = "http://0.0.0.0:5082" }));

        Assert.Contains("MicroComms:Console:PasswordHash", refused.Message, StringComparison.Ordinal);
        Assert.True(ConsolePassword.From(new ConsoleOptions { Url = "http://127.0.0.1:5082" }).Verify(ConsolePassword.DevelopmentPassword));
    }

    [Fact]
    public void Past_the_failed_login_limit_every_login_waits_until_the_oldest_failure_leaves_the_window()
    {
        var clock = new ManualClock();
        var throttle = new LoginThrottle(Options.Create(new ConsoleOptions { MaxFailedLogins = 3, FailedLoginWindow = TimeSpan.FromMinutes(5) }), clock);

        throttle.Failed();
        clock.Advance(TimeSpan.FromMinutes(1));
        throttle.Failed();
        throttle.Failed();
        var locked = throttle.RetryAfter();
        clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromMinutes(4), locked);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter());
    }

    private async Task<ConsoleSession> LoggedInAsync()
    {
        var session = new ConsoleSession(host.Console);
        using var login = await session.LogInAsync(ConsolePassword.DevelopmentPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return session;
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
