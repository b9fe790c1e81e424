using System.Net;
using MicroComms.Host.WebConsole;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests.WebConsole;

/// <summary>
/// The console's queue pages on a real broker, through the same ErrorQueueClient as <c>errors</c>: a replayed message
/// reaches its queue once, two replays of one message race to one copy, confirmations before the bulk actions, and bad
/// input answered on the page. Each spec empties both queues before it starts; one console process for the class.
/// </summary>
[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class WebConsoleBroker_Specs(ConsoleBrokerHost host) : IClassFixture<ConsoleBrokerHost>, IAsyncLifetime
{
    private const string QueuePage = "/console/queues/" + ConsoleBrokerHost.ErrorQueue;

    public async Task InitializeAsync()
    {
        await host.DrainAsync(ConsoleBrokerHost.ErrorQueue);
        await host.DrainAsync(ConsoleBrokerHost.Queue);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_parked_message_replayed_from_the_page_reaches_its_queue_once_and_leaves_the_error_queue()
    {
        var ids = await host.ParkAsync(3);
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync(QueuePage);
        using var replay = await session.PostAsync(QueuePage, QueuePage + "?handler=ReplaySelected", ("ids", ids[1]));
        var (_, after) = await session.FollowAsync(replay);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.All(ids, id => Assert.Contains($"value=\"{id}\"", page, StringComparison.Ordinal));
        Assert.Contains($"System.InvalidOperationException: widget {ids[1]} is broken", page, StringComparison.Ordinal);
        Assert.Contains($"Replayed 1 message from '{ConsoleBrokerHost.ErrorQueue}': 1 to '{ConsoleBrokerHost.Queue}'.", ConsoleSession.Messages(after));
        Assert.Equal([(ids[1], (string?)ConsoleBrokerHost.ErrorQueue)], await host.DrainAsync(ConsoleBrokerHost.Queue));
        Assert.Equal(2u, await host.CountAsync(ConsoleBrokerHost.ErrorQueue));
    }

    [Fact]
    public async Task Two_replays_racing_for_one_message_make_one_copy_and_the_loser_is_told_it_is_gone()
    {
        var ids = await host.ParkAsync(20);
        var wanted = ids[^1];
        using var first = await LoggedInAsync();
        using var second = await LoggedInAsync();

        var replays = await Task.WhenAll(
            first.PostAsync(QueuePage, QueuePage + "?handler=ReplaySelected", ("ids", wanted)),
            second.PostAsync(QueuePage, QueuePage + "?handler=ReplaySelected", ("ids", wanted)));
        var answers = new List<string>();
        answers.AddRange(ConsoleSession.Messages((await first.FollowAsync(replays[0])).Html));
        answers.AddRange(ConsoleSession.Messages((await second.FollowAsync(replays[1])).Html));

        Assert.Equal([wanted], (await host.DrainAsync(ConsoleBrokerHost.Queue)).Select(m => m.Id));
        Assert.Equal(19u, await host.CountAsync(ConsoleBrokerHost.ErrorQueue));
        Assert.Single(answers, a => a.StartsWith("Replayed 1 message", StringComparison.Ordinal));
        Assert.Single(answers, a => a.Contains($"Not in the queue (already replayed or purged): {wanted}.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_all_asks_first_with_the_count_then_moves_every_message()
    {
        var ids = await host.ParkAsync(4);
        using var session = await LoggedInAsync();

        using var ask = await session.PostAsync(QueuePage, QueuePage + "?handler=ReplayAll");
        var question = await ask.Content.ReadAsStringAsync();
        var parkedWhileAsking = await host.CountAsync(ConsoleBrokerHost.ErrorQueue);
        using var confirmed = await session.PostAsync(QueuePage, QueuePage + "?handler=ReplayAll", ("confirm", "true"));
        var (_, after) = await session.FollowAsync(confirmed);

        Assert.Contains($"Replay all 4 messages of &#x27;{ConsoleBrokerHost.ErrorQueue}&#x27;", question, StringComparison.Ordinal);
        Assert.Equal(4u, parkedWhileAsking);
        Assert.Contains($"Replayed 4 messages from '{ConsoleBrokerHost.ErrorQueue}': 4 to '{ConsoleBrokerHost.Queue}'.", ConsoleSession.Messages(after));
        Assert.Equal(ids.Order(), (await host.DrainAsync(ConsoleBrokerHost.Queue)).Select(m => m.Id).Order());
        Assert.Equal(0u, await host.CountAsync(ConsoleBrokerHost.ErrorQueue));
    }

    [Fact]
    public async Task Purge_asks_first_and_deletes_only_once_confirmed()
    {
        await host.ParkAsync(2);
        using var session = await LoggedInAsync();

        using var ask = await session.PostAsync(QueuePage, QueuePage + "?handler=Purge");
        var parkedWhileAsking = await host.CountAsync(ConsoleBrokerHost.ErrorQueue);
        using var confirmed = await session.PostAsync(QueuePage, QueuePage + "?handler=Purge", ("confirm", "true"));
        var (_, after) = await session.FollowAsync(confirmed);

        Assert.Contains("Confirm purge", await ask.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2u, parkedWhileAsking);
        Assert.Contains($"Purged 2 messages from '{ConsoleBrokerHost.ErrorQueue}'.", ConsoleSession.Messages(after));
        Assert.Equal(0u, await host.CountAsync(ConsoleBrokerHost.ErrorQueue));
    }

    [Fact]
    public async Task One_message_page_shows_its_headers_and_body_and_replays_it()
    {
        var ids = await host.ParkAsync(2);
        using var session = await LoggedInAsync();
        var messagePage = $"{QueuePage}/messages/{ids[0]}";

        var (status, page) = await session.GetAsync(messagePage);
        using var replay = await session.PostAsync(messagePage, messagePage + "?handler=Replay");
        var (_, after) = await session.FollowAsync(replay);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<code>MT-Fault-Message</code>", page, StringComparison.Ordinal);
        Assert.Contains($"&quot;widget&quot;: &quot;{ids[0]}&quot;", page, StringComparison.Ordinal); // indented, as errors show prints it
        Assert.Contains($"Replayed message {ids[0]} from '{ConsoleBrokerHost.ErrorQueue}' to '{ConsoleBrokerHost.Queue}'.", ConsoleSession.Messages(after));
        Assert.Equal([ids[0]], (await host.DrainAsync(ConsoleBrokerHost.Queue)).Select(m => m.Id));
    }

    [Fact]
    public async Task The_queues_page_lists_endpoint_queues_and_the_error_queue_with_its_count()
    {
        await host.ParkAsync(3);
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync("/console/queues");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"<tr><td>{ConsoleBrokerHost.Queue}</td>", page, StringComparison.Ordinal);
        Assert.Contains($">{ConsoleBrokerHost.ErrorQueue}</a></td>", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/console/queues/no-such_error", "Queue 'no-such_error' does not exist")]
    [InlineData("/console/queues/" + ConsoleBrokerHost.ErrorQueue + "/messages/no-such-id", "No message with id no-such-id in '" + ConsoleBrokerHost.ErrorQueue + "'")]
    [InlineData("/console/queues/no-such_error/messages/no-such-id", "Queue 'no-such_error' does not exist")]
    public async Task A_queue_or_message_that_is_not_there_is_a_404_that_says_so(string path, string message)
    {
        using var session = await LoggedInAsync();

        var (status, page) = await session.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains(ConsoleSession.Messages(page), m => m.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replay_posted_without_its_anti_forgery_token_is_refused_and_the_message_stays_parked()
    {
        var ids = await host.ParkAsync(1);
        using var session = await LoggedInAsync();

        using var response = await session.PostWithoutTokenAsync(QueuePage + "?handler=ReplaySelected", ("ids", ids[0]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1u, await host.CountAsync(ConsoleBrokerHost.ErrorQueue));
        Assert.Equal(0u, await host.CountAsync(ConsoleBrokerHost.Queue));
    }

    private async Task<ConsoleSession> LoggedInAsync()
    {
        var session = new ConsoleSession(host.Console);
        using var login = await session.LogInAsync(ConsolePassword.DevelopmentPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return session;
    }
}
