using System.Net.Mime;
using System.Runtime.Serialization;
using MassTransit;
using MassTransit.Serialization;
using MessagePack;

namespace MicroComms.Messaging.Serialization;

/// <summary>
/// MassTransit's serializer seam for <see cref="MessagePackEnvelope"/>: writes it for sends when
/// <c>MicroComms:Serializer</c> is <c>MessagePack</c>, and reads it on every endpoint whatever the process writes. Loose
/// objects (header values, saga and job state) go through MassTransit's JSON, as they do for the JSON envelope.
/// </summary>
internal sealed class MessagePackEnvelopeSerializer : IMessageSerializer, IMessageDeserializer, IObjectDeserializer
{
    public static readonly ContentType MessagePackContentType = new(MessageBodyFormat.MessagePackContentType);

    public static readonly MessagePackEnvelopeSerializer Instance = new();

    private static SystemTextJsonMessageSerializer Json => SystemTextJsonMessageSerializer.Instance;

    public ContentType ContentType => MessagePackContentType;

    public MessageBody GetMessageBody<T>(SendContext<T> context)
        where T : class
    {
        var envelope = MessagePackEnvelope.From(context);
        envelope.MessageType = context.SupportedMessageTypes;
        return new MessagePackBody(envelope.Write(context.Message));
    }

    public ConsumeContext Deserialize(ReceiveContext receiveContext) =>
        new BodyConsumeContext(receiveContext, Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        try
        {
            var envelope = MessagePackEnvelope.Read(body.GetBytes(), this);
            return new MessagePackSerializerContext(this, envelope);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or UriFormatException or ArgumentException)
        {
            // Without the inner exception: MassTransit's fault headers name the innermost one, and this sentence is the reason.
            throw new SerializationException($"The MessagePack envelope could not be read ({ex.GetType().Name}: {ex.Message}).");
        }
    }

    /// <summary>A stored body (outbox, inbox, scheduler) is the envelope in base64.</summary>
    public MessageBody GetMessageBody(string text) => new Base64MessageBody(text);

    public T? DeserializeObject<T>(object? value, T? defaultValue = default)
        where T : class => Json.DeserializeObject(value, defaultValue);

    public T? DeserializeObject<T>(object? value, T? defaultValue = null)
        where T : struct => Json.DeserializeObject(value, defaultValue);

    public MessageBody SerializeObject(object? value) => Json.SerializeObject(value);

    public void Probe(ProbeContext context) => context.CreateScope("microcomms-msgpack").Add("contentType", ContentType.MediaType);
}
