using System.Diagnostics.CodeAnalysis;
using System.Net.Mime;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;
using MessagePack;

namespace MicroComms.Messaging.Serialization;

/// <summary>
/// A received binary envelope. The message is read lazily, once per type a consumer asks for and only for a type the
/// envelope lists (a polymorphic publish lists the concrete record, its base records and its interfaces): a class is
/// read straight from MessagePack, an interface as the class MassTransit generates for it (<c>Fault&lt;T&gt;</c>,
/// MassTransit's scheduling commands, a contract interface), an abstract class through MassTransit's JSON options.
/// </summary>
internal sealed class MessagePackSerializerContext(MessagePackEnvelopeSerializer serializer, MessagePackEnvelope envelope)
    : BaseSerializerContext(serializer, envelope, envelope.MessageType)
{
    // Almost every consumer asks for one type: one slot, and a lock for the rare second type or concurrent ask.
    private readonly Lock _lock = new();
    private Type? _type;
    private object? _message;

    public override bool TryGetMessage<T>(out T? message)
        where T : class
    {
        message = TryGetMessage(typeof(T), out var value) ? (T)value : null;
        return message is not null;
    }

    public override bool TryGetMessage(Type messageType, [NotNullWhen(true)] out object? message)
    {
        if (!IsSupportedMessageType(messageType))
        {
            message = null;
            return false;
        }

        // A body that does not read as the type is a failed delivery (to _error with the reason), not an unconsumed type.
        lock (_lock)
        {
            if (_type != messageType)
            {
                _message = messageType.IsInterface || messageType.IsAbstract
                    ? ContractlessOptions.ReadInterface(envelope.Message, messageType)
                    : MessagePackSerializer.Deserialize(messageType, envelope.Message, ContractlessOptions.Instance);
                _type = messageType;
            }

            message = _message;
        }

        return message is not null;
    }

    /// <summary>Sends the envelope again as it was (the outbox and the scheduler), with what the send context sets.</summary>
    public override IMessageSerializer GetMessageSerializer() => new StoredBodySerializer(envelope, envelope.Message);

    public override IMessageSerializer GetMessageSerializer<T>(MessageEnvelope jsonEnvelope, T message) =>
        new StoredBodySerializer(new MessagePackEnvelope { MessageType = jsonEnvelope.MessageType ?? [] }, Serialize(message));

    /// <summary>A scheduled message's payload, which arrives as a record or, read from a JSON envelope, as JSON.</summary>
    public override IMessageSerializer GetMessageSerializer(object message, string[] messageTypes) =>
        new StoredBodySerializer(new MessagePackEnvelope { MessageType = messageTypes }, Serialize(message));

    public override Dictionary<string, object> ToDictionary<T>(T? message)
        where T : class =>
        message is null
            ? new(StringComparer.OrdinalIgnoreCase)
            : SystemTextJsonMessageSerializer.Instance.DeserializeObject<Dictionary<string, object>>(
                JsonSerializer.SerializeToElement(message, message.GetType(), SystemTextJsonMessageSerializer.Options))
              ?? new(StringComparer.OrdinalIgnoreCase);

    private static byte[] Serialize(object message) => message is JsonElement json
        ? MessagePackSerializer.ConvertFromJson(json.GetRawText(), ContractlessOptions.Instance)
        : MessagePackSerializer.Serialize(message.GetType(), message, ContractlessOptions.Instance);

    /// <summary>Writes a given message (already MessagePack) in an envelope updated from the send context.</summary>
    private sealed class StoredBodySerializer(MessagePackEnvelope envelope, ReadOnlyMemory<byte> message) : IMessageSerializer
    {
        public ContentType ContentType => MessagePackEnvelopeSerializer.MessagePackContentType;

        public MessageBody GetMessageBody<T>(SendContext<T> context)
            where T : class
        {
            envelope.Update(context);
            envelope.Message = message;
            if (envelope.MessageType.Length > 0)
            {
                context.SupportedMessageTypes = envelope.MessageType;
            }

            return new MessagePackBody(envelope.Write());
        }
    }
}
