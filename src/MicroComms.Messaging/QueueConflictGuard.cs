using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client.Exceptions;

namespace MicroComms.Messaging;

/// <summary>
/// Watches the receive endpoints as they start. A queue declared with arguments that differ from the existing queue's is
/// refused by the broker with PRECONDITION_FAILED (406); MassTransit counts that as transient and declares again for
/// ever, so a start that waits for every endpoint (WaitUntilStarted) would hang. The first such refusal fails
/// <see cref="Conflict"/>, which ends start-up (<see cref="BoundedBusStop"/>) with a sentence naming the queue.
/// </summary>
internal sealed partial class QueueConflictGuard(IOptions<RabbitMqOptions> options, ILogger<QueueConflictGuard> logger) : IReceiveEndpointObserver
{
    private const ushort PreconditionFailed = 406;

    private readonly TaskCompletionSource _conflict = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Faults with a <see cref="QueueConflictException"/> at the first conflicting declaration; never completes otherwise.</summary>
    public Task Conflict => _conflict.Task;

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        if (Refusal(faulted.Exception) is not { } refusal || _conflict.Task.IsCompleted)
        {
            return Task.CompletedTask;
        }

        var text = refusal.ShutdownReason?.ReplyText ?? refusal.Message;
        var match = QueueInReply().Match(text);
        var queue = match.Success ? match.Groups["queue"].Value : faulted.InputAddress.AbsolutePath.Split('/')[^1];
        var o = options.Value;
        var advice = text.Contains("x-queue-type", StringComparison.Ordinal)
            ? $"MicroComms:RabbitMq:QueueType is {o.QueueType}, and a queue's type cannot change: stop the services that use it, move its "
              + "messages elsewhere (a shovel, or let it drain), delete the queue and start again; or set QueueType back to what the queue is. "
              + "With Quorum, create the virtual host with default queue type quorum, so that senders that declare the queue first make a quorum queue too."
            : "Delete the queue (after moving its messages elsewhere) so that it is declared again, or declare it as it is.";
        var message = $"Queue '{queue}' in virtual host '{o.VirtualHost}' already exists with other arguments than this service declares "
            + $"(the broker said: {text}). {advice}";
        logger.LogError("Receive endpoint {Queue} cannot start: {Reason}", queue, message);
        _conflict.TrySetException(new QueueConflictException(message, refusal));
        return Task.CompletedTask;
    }

    public Task Ready(ReceiveEndpointReady ready) => Task.CompletedTask;

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    private static OperationInterruptedException? Refusal(Exception? exception) => exception switch
    {
        OperationInterruptedException { ShutdownReason.ReplyCode: PreconditionFailed } refused => refused,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Refusal).FirstOrDefault(r => r is not null),
        null => null,
        _ => Refusal(exception.InnerException),
    };

    [GeneratedRegex("for queue '(?<queue>[^']*)'")]
    private static partial Regex QueueInReply();
}
