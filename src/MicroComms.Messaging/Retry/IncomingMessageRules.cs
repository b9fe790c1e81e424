using System.Net.Mime;
using MassTransit;
using MassTransit.Transports;

namespace MicroComms.Messaging.Retry;

/// <summary>
/// What every receive endpoint accepts, checked before retries, the inbox and the consumer: a message needs an id (the
/// inbox deduplicates by it), and a content type that is either absent (read as MassTransit's JSON envelope) or one a
/// deserializer is registered for (JSON, and MicroComms' MessagePack envelope on every endpoint). Anything else is parked in
/// the endpoint's <c>_error</c> queue with the reason in its fault headers, never consumed as if nothing were wrong:
/// MassTransit alone reads an unknown content type with its default deserializer.
/// </summary>
internal sealed class IncomingMessageRules : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (context.MessageId is null)
        {
            throw new RejectedMessageException("The message has no message id, so the inbox could not tell a redelivery from a new message.");
        }

        if (context.ReceiveContext.ContentType is { } contentType && !IsKnown(context, contentType))
        {
            throw new RejectedMessageException($"The content type '{contentType.MediaType}' is not one this endpoint reads.");
        }

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("microcommsIncomingMessageRules");

    /// <summary>Known to the endpoint's serialization; the receive context carries its endpoint's context as a payload.</summary>
    private static bool IsKnown(ConsumeContext context, ContentType contentType) =>
        context.ReceiveContext.TryGetPayload<ReceiveEndpointContext>(out var endpoint)
        && endpoint.Serialization.TryGetMessageDeserializer(contentType, out _);
}
