using System.Net;
using MicroComms.Host.WebConsole;
using MicroComms.Testing;

namespace MicroComms.Tests.WebConsole;

/// <summary>The console's database pages on PostgreSQL, where the sagas page's threshold query is written for that store.</summary>
[Trait("Needs", "Postgres")]
public sealed class WebConsolePostgres_Specs(PostgresConsoleHost host) : IClassFixture<PostgresConsoleHost>
{
    [Fact]
    public async Task The_sagas_page_counts_by_state_and_lists_those_not_final_past_the_threshold_on_PostgreSQL()
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync("/console/sagas?olderThan=00:30:00");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Matches("<td>Completed</td><td class=\"num\">2</td>", page);
        Assert.Contains($"/console/sagas/{ConsoleHost.OldOpenOrder}", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"/console/sagas/{ConsoleHost.NewOpenOrder}", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_order_s_state_changes_are_read_back_from_its_row_and_shown_with_their_reason_on_PostgreSQL()
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync($"/console/sagas/{ConsoleHost.TimedOutOrder}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("StockReserved -&gt; AwaitingPayment<", page, StringComparison.Ordinal);
        Assert.Contains($"PaymentTimedOut -&gt; Faulted ({ConsoleHost.TimeoutReason})", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_outbox_page_replays_a_set_aside_row_on_PostgreSQL()
    {
        var id = await host.SetAsideOutboxRowAsync("poison on PostgreSQL");
        using var session = await LoggedInAsync();

        var (_, page) = await session.GetAsync("/console/outbox");
        using var replay = await session.PostAsync("/console/outbox", "/console/outbox?handler=Replay", ("service", "orders"), ("messageId", id.ToString()));
        var (_, after) = await session.FollowAsync(replay);

        Assert.Contains("poison on PostgreSQL", page, StringComparison.Ordinal);
        Assert.Contains("orders: 1 message put back in line; the service sends them on its next delivery pass.", ConsoleSession.Messages(after));
        Assert.False(await host.IsSetAsideAsync(id));
    }

    private async Task<ConsoleSession> LoggedInAsync()
    {
        var session = new ConsoleSession(host.Console);
        using var login = await session.LogInAsync(ConsolePassword.DevelopmentPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return session;
    }
}
