using System.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using MicroComms.Messaging.Telemetry;

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
    /// <paramref name="operation"/> names the span the send runs in (<see cref="StoredMessageActivity"/>): a child of the
    /// span that stored the message.
    /// </summary>
    public static async Task SendAsync(
        string operation,
        ISendEndpointProvider bus,
        StoredEnvelope message,
        Func<Uri, IPipe<SendContext>> pipeTo,
        CancellationToken cancellationToken)
    {
        ISendEndpoint endpoint;
        IPipe<SendContext> pipe;
        Activity? activity = null;
        try
        {
            message.Deserialize(SystemTextJsonMessageSerializer.Instance);
            activity = StoredMessageActivity.Start(operation, message, message.DestinationAddress);
            var destination = message.DestinationAddress
                ?? throw new InvalidOperationException("The message has no destination address.");
            pipe = pipeTo(destination);
            endpoint = await bus.GetSendEndpoint(destination);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.Dispose();
            throw new PoisonOutboxMessageException($"{ex.GetType().Name}: {ex.Message}", ex);
        }

        using (activity)
        {
            try
            {
                await endpoint.Send(new SerializedMessageBody(), pipe, cancellationToken);
            }
            catch (Exception ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetBaseException().Message);
                throw;
            }
        }
    }
}
