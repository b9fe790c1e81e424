using MassTransit;
using MassTransit.Middleware;
using MicroComms.Messaging.BusOutbox;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// MassTransit's <see cref="OutboxMessageSendPipe"/> restores the envelope from the stored body, whose own
/// headers win; headers that arrived only on the transport (and those the scheduler added, such as the
/// first-fault time) are put back here when the body does not carry them.
/// </summary>
internal sealed class ScheduledMessageSendPipe(ScheduledMessageRow message, Uri destination) : IPipe<SendContext>
{
    private readonly OutboxMessageSendPipe _envelope = new(message, destination);

    public async Task Send(SendContext context)
    {
        try
        {
            await _envelope.Send(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Restoring the stored envelope (its body, content type, headers) fails the same way every time.
            throw new PoisonOutboxMessageException($"{ex.GetType().Name}: {ex.Message}", ex);
        }

        foreach (var (key, value) in ((MessageContext)message).Headers.GetAll())
        {
            if (!context.Headers.TryGetHeader(key, out _))
            {
                context.Headers.Set(key, value);
            }
        }
    }

    public void Probe(ProbeContext context) => _envelope.Probe(context);

    /// <summary>The row's own fault behind <paramref name="exception"/>, if any: transports may wrap what the pipe threw.</summary>
    public static PoisonOutboxMessageException? FindPoison(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is PoisonOutboxMessageException poison)
            {
                return poison;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(FindPoison).FirstOrDefault(p => p is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
