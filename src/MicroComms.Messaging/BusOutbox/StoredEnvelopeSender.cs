using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// Sends one stored envelope to its destination through MassTransit's <see cref="OutboxMessageSendPipe"/> (or a pipe
/// around it): the outbox's delivery service and the scheduler's dispatcher send their rows this one way.
/// </summary>
internal static class StoredEnvelopeSender
{
    /// <summary>
    /// Restores and sends <paramref name="message"/>. Whatever depends on the stored row alone (its headers, its
    /// destination) fails as a <see cref="PoisonOutboxMessageException"/>; the send itself fails as the transport fails.
    /// </summary>
    public static async Task SendAsync(
        ISendEndpointProvider bus,
        StoredEnvelope message,
        Func<Uri, IPipe<SendContext>> pipeTo,
        CancellationToken cancellationToken)
    {
        ISendEndpoint endpoint;
        IPipe<SendContext> pipe;
        try
        {
            message.Deserialize(SystemTextJsonMessageSerializer.Instance);
            var destination = message.DestinationAddress
                ?? throw new InvalidOperationException("The message has no destination address.");
            pipe = pipeTo(destination);
            endpoint = await bus.GetSendEndpoint(destination);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new PoisonOutboxMessageException($"{ex.GetType().Name}: {ex.Message}", ex);
        }

        await endpoint.Send(new SerializedMessageBody(), pipe, cancellationToken);
    }
}
