using MassTransit;
using MassTransit.Middleware;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// MassTransit's <see cref="OutboxMessageSendPipe"/> restores the envelope from the stored body, whose own
/// headers win; headers that arrived only on the transport (and those the scheduler added, such as the
/// first-fault time) are put back here when the body does not carry them.
/// </summary>
internal sealed class ScheduledMessageSendPipe(ScheduledMessageContext message, Uri destination) : IPipe<SendContext>
{
    private readonly OutboxMessageSendPipe _envelope = new(message, destination);

    public async Task Send(SendContext context)
    {
        await _envelope.Send(context);
        foreach (var (key, value) in message.Headers.GetAll())
        {
            if (!context.Headers.TryGetHeader(key, out _))
            {
                context.Headers.Set(key, value);
            }
        }
    }

    public void Probe(ProbeContext context) => _envelope.Probe(context);
}
