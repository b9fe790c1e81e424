using System.Net.Mime;
using MassTransit;

namespace MicroComms.Messaging.Serialization;

/// <summary>Registers <see cref="MessagePackEnvelopeSerializer"/> with MassTransit under its content type.</summary>
internal sealed class MessagePackSerializerFactory : ISerializerFactory
{
    public ContentType ContentType => MessagePackEnvelopeSerializer.MessagePackContentType;

    public IMessageSerializer CreateSerializer() => MessagePackEnvelopeSerializer.Instance;

    public IMessageDeserializer CreateDeserializer() => MessagePackEnvelopeSerializer.Instance;
}
