using MicroComms.Host.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>
/// One parked message in full (headers, body), with replay (confirmed by the broker before the parked copy is removed)
/// and purge (asked first). Of two racing replays of one message, one replays it and the other is told it is gone.
/// </summary>
public sealed class MessageModel(ConsoleBroker broker, IOptions<ConsoleOptions> options, ILogger<MessageModel> logger) : ConsolePage(options, logger)
{
    [FromRoute]
    public string Queue { get; set; } = "";

    [FromRoute]
    public string MessageId { get; set; } = "";

    public ParkedMessage? Message { get; private set; }

    public bool ConfirmPurge { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await ShowAsync(cancellationToken);

    public async Task<IActionResult> OnPostReplayAsync(CancellationToken cancellationToken)
    {
        if (!ErrorQueueNames.IsParkingQueue(Queue))
        {
            return await ShowAsync(cancellationToken);
        }

        var done = await RunAsync(async client =>
        {
            var result = await client.ReplayAsync(Queue, new HashSet<string>([MessageId], StringComparer.OrdinalIgnoreCase), null, cancellationToken);
            if (result.Replayed == 0)
            {
                Changed("replay", $"{Queue} id {MessageId}", $"Message {MessageId} is not in '{Queue}': it was already replayed or purged.", failed: true);
                return false;
            }

            Changed("replay", $"{Queue} id {MessageId}", $"Replayed message {MessageId} from '{Queue}' to '{result.ByTarget.Keys.First()}'.");
            return true;
        });
        return done ? RedirectToPage("/Queue", new { queue = Queue }) : RedirectToPage(null, null, new { queue = Queue, messageId = MessageId }, null);
    }

    public async Task<IActionResult> OnPostPurgeAsync(bool confirm, CancellationToken cancellationToken)
    {
        if (!confirm || !ErrorQueueNames.IsParkingQueue(Queue))
        {
            ConfirmPurge = ErrorQueueNames.IsParkingQueue(Queue);
            return await ShowAsync(cancellationToken);
        }

        var done = await RunAsync(async client =>
        {
            if (!await client.DeleteAsync(Queue, MessageId, cancellationToken))
            {
                Changed("purge", $"{Queue} id {MessageId}", $"Message {MessageId} is not in '{Queue}': it was already replayed or purged.", failed: true);
                return false;
            }

            Changed("purge", $"{Queue} id {MessageId}", $"Deleted message {MessageId} from '{Queue}'.");
            return true;
        });
        return done ? RedirectToPage("/Queue", new { queue = Queue }) : RedirectToPage(null, null, new { queue = Queue, messageId = MessageId }, null);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        if (!ErrorQueueNames.IsParkingQueue(Queue))
        {
            Problem = $"'{Queue}' is not an error or skipped queue: its name must end in _error or _skipped.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        await RunAsync(async client =>
        {
            Message = await client.FindAsync(Queue, MessageId, cancellationToken);
            if (Message is null)
            {
                Problem = $"No message with id {MessageId} in '{Queue}': it was replayed or purged, or was never there.";
                Response.StatusCode = StatusCodes.Status404NotFound;
                ConfirmPurge = false;
            }

            return true;
        });
        return Page();
    }

    private async Task<bool> RunAsync(Func<ErrorQueueClient, Task<bool>> work)
    {
        var (client, problem) = broker.Connect();
        if (client is null)
        {
            Problem = problem;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return false;
        }

        try
        {
            return await work(client);
        }
        catch (ErrorCommandException ex)
        {
            if (HttpMethods.IsPost(Request.Method))
            {
                Audit(Request.Method, $"{Queue} id {MessageId}", $"failed: {ex.Message}");
                Alert = ex.Message;
            }

            Problem = ex.Message;
            Response.StatusCode = ex is QueueNotFoundException ? StatusCodes.Status404NotFound : StatusCodes.Status503ServiceUnavailable;
            return false;
        }
    }
}
