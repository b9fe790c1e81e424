using MassTransit;
using MassTransit.Middleware;
using MicroComms.Messaging.BusOutbox;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// What the scheduler adds around MassTransit's <see cref="OutboxMessageSendPipe"/>, the pipe the outbox sends with. The
/// pipe restores the envelope from the stored body, whose own headers win; a scheduled body was serialized from the
/// scheduling command's payload, so the headers that arrived on its transport (and those the scheduler added, such as
/// the first-fault time) are put back here. Restoring fails the same way every time, so it fails as the row's own fault.
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
}
