using MicroComms.Host.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>
/// One error or skipped queue: a page of its parked messages and the <c>errors</c> commands' actions on them (replay
/// selected / all, purge), through the same <see cref="ErrorQueueClient"/>: a copy is confirmed by the broker before the
/// parked message is acknowledged. "Replay all" and "Purge" ask first, naming the count.
/// </summary>
public sealed class QueueModel(ConsoleBroker broker, IOptions<ConsoleOptions> options, ILogger<QueueModel> logger) : ConsolePage(options, logger)
{
    /// <summary>Reading deeper than this many messages to show a page costs the broker too much; replay all still covers them.</summary>
    private const int MaxPeek = 1000;

    [FromRoute]
    public string Queue { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public uint? Count { get; private set; }

    public IReadOnlyList<ErrorQueueMessage>? Messages { get; private set; }

    public bool HasNextPage { get; private set; }

    public int Skip => (PageNumber - 1) * Options.PageSize;

    public string ReplayTo => ErrorQueueNames.SourceQueue(Queue);

    public Confirmation? Confirm { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        PageNumber = Math.Clamp(PageNumber, 1, MaxPeek / Options.PageSize);
        var found = await WithClientAsync(async client =>
        {
            Count = await client.CountAsync(Queue, cancellationToken);
            if (!Live)
            {
                var upTo = Skip + Options.PageSize;
                var peeked = await client.PeekAsync(Queue, upTo + 1, cancellationToken);
                Messages = [.. peeked.Skip(Skip).Take(Options.PageSize)];
                HasNextPage = peeked.Count > upTo && upTo < MaxPeek;
            }

            return true;
        });
        return found ? Page() : NotFoundPage();
    }

    public async Task<IActionResult> OnPostReplaySelectedAsync([FromForm(Name = "ids")] string[]? ids, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        var wanted = (ids ?? []).Where(i => !string.IsNullOrWhiteSpace(i)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (wanted.Count == 0)
        {
            Alert = "Select at least one message to replay.";
            return Back();
        }

        await WithClientAsync(async client =>
        {
            var result = await client.ReplayAsync(Queue, wanted, null, cancellationToken);
            var missing = result.NotFound.Count == 0
                ? ""
                : $" Not in the queue (already replayed or purged): {string.Join(", ", result.NotFound)}.";
            Changed("replay", $"{Queue} ids {string.Join(",", wanted)}", $"Replayed {Plural(result.Replayed, "message")} from '{Queue}'{Targets(result)}.{missing}",
                failed: result.Replayed == 0);
            return true;
        });
        return Back();
    }

    public async Task<IActionResult> OnPostReplayAllAsync(bool confirm, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        if (!confirm)
        {
            return await AskAsync("ReplayAll", n => $"Replay all {Plural(n, "message")} of '{Queue}' to '{ReplayTo}'?", "Confirm replay all", cancellationToken);
        }

        await WithClientAsync(async client =>
        {
            var result = await client.ReplayAsync(Queue, (IReadOnlySet<string>?)null, null, cancellationToken);
            Changed("replay all", Queue, result.Replayed == 0 ? $"'{Queue}' is empty: nothing to replay." : $"Replayed {Plural(result.Replayed, "message")} from '{Queue}'{Targets(result)}.");
            return true;
        });
        return Back();
    }

    public async Task<IActionResult> OnPostPurgeAsync(bool confirm, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        if (!confirm)
        {
            return await AskAsync("Purge", n => $"Delete all {Plural(n, "message")} of '{Queue}' for good?", "Confirm purge", cancellationToken);
        }

        await WithClientAsync(async client =>
        {
            var purged = await client.PurgeAsync(Queue, cancellationToken);
            Changed("purge", Queue, $"Purged {Plural(purged, "message")} from '{Queue}'.");
            return true;
        });
        return Back();
    }

    /// <summary>Only parking queues: peeking a live queue would take its messages from its consumers for a moment.</summary>
    private PageResult? Refused()
    {
        if (ErrorQueueNames.IsParkingQueue(Queue))
        {
            return null;
        }

        Problem = $"'{Queue}' is not an error or skipped queue: its name must end in _error or _skipped. See Queues for the list.";
        return NotFoundPage();
    }

    private async Task<IActionResult> AskAsync(string handler, Func<uint, string> question, string button, CancellationToken cancellationToken)
    {
        var asked = await WithClientAsync(async client =>
        {
            Count = await client.CountAsync(Queue, cancellationToken);
            Confirm = new Confirmation(handler, question(Count.Value), button);
            return true;
        });
        return asked ? Page() : NotFoundPage();
    }

    /// <summary>
    /// Runs <paramref name="work"/> against the broker; false when the queue does not exist. A broker that cannot be
    /// reached, or refuses, is shown on the page (503), named, instead of a failed request.
    /// </summary>
    private async Task<bool> WithClientAsync(Func<ErrorQueueClient, Task<bool>> work)
    {
        var (client, problem) = broker.Connect();
        if (client is null)
        {
            Problem = problem;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return true;
        }

        try
        {
            return await work(client);
        }
        catch (QueueNotFoundException ex)
        {
            Problem = ex.Message;
            Alert = HttpMethods.IsPost(Request.Method) ? ex.Message : Alert;
            return false;
        }
        catch (ErrorCommandException ex)
        {
            // A replay that stopped part-way says how far it got; the rest stays parked (confirm before ack).
            Audit(Request.Method, Queue, $"failed: {ex.Message}");
            Problem = ex.Message;
            Alert = HttpMethods.IsPost(Request.Method) ? ex.Message : Alert;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return true;
        }
    }

    private RedirectToPageResult Back() => RedirectToPage(null, null, new { queue = Queue }, null);

    private PageResult NotFoundPage()
    {
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    private static string Targets(ReplayResult result) =>
        result.ByTarget.Count == 0 ? "" : ": " + string.Join(", ", result.ByTarget.Select(t => $"{t.Value} to '{t.Key}'"));

    public sealed record Confirmation(string Handler, string Question, string Button);
}
