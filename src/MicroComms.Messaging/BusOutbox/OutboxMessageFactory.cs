using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>Captures a send or publish (envelope, headers, transport properties) as an <see cref="OutboxMessage"/> row.</summary>
internal static class OutboxMessageFactory
{
    public static OutboxMessage Create<T>(SendContext<T> context, Guid? inboxMessageId = null, Guid? inboxConsumerId = null, Guid? outboxId = null)
        where T : class
    {
        var messageId = context.MessageId
            ?? throw new MessageException(typeof(T), "The outbox needs a message id on every outgoing message.");
        var now = DateTime.UtcNow;
        var serializer = SystemTextJsonMessageSerializer.Instance;

        var row = new OutboxMessage
        {
            MessageId = messageId,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = context.SentTime ?? now,
            // The serializer's own: a binary body is stored as base64 text, and the content type says how to read it back.
            ContentType = (context.ContentType ?? context.Serializer.ContentType).ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = context.Serializer.GetMessageBody(context).GetString(),
            Headers = serializer.SerializeDictionary(context.Headers.GetAll()),
            InboxMessageId = inboxMessageId,
            InboxConsumerId = inboxConsumerId,
            OutboxId = outboxId,
        };

        if (context.TimeToLive is { } ttl)
        {
            row.ExpirationTime = now + ttl;
        }

        if (context.Delay is { } delay)
        {
            row.EnqueueTime = now + delay;
        }

        if (context is TransportSendContext<T> transport)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transport.WritePropertiesTo(properties);
            row.Properties = serializer.SerializeDictionary(properties);
        }

        return row;
    }
}
