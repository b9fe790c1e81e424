using System.Net.Mime;
using System.Runtime.Serialization;
using MassTransit;
using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.FreeEnvelope;

/// <summary>
/// The free envelope: the bound on issue 22's throughput goal, never a serializer to ship. It writes the 16 bytes of the
/// message id and nothing else (no message types, addresses or headers: what the transport puts in the AMQP properties
/// is all that travels), and reads them back into a context that hands out one cached <see cref="BenchMessage"/>
/// without parsing anything. A row on it costs what MicroComms, MassTransit and RabbitMQ cost with an envelope that
/// costs nothing, which is as fast as any format could make the <c>microcomms</c> row.
/// </summary>
internal sealed class FreeEnvelopeSerializer : IMessageSerializer, IMessageDeserializer
{
    public static readonly ContentType FreeContentType = new("application/vnd.microcomms.bench-free");

    public static readonly FreeEnvelopeSerializer Instance = new();

    private const int IdLength = 16;

    public ContentType ContentType => FreeContentType;

    public MessageBody GetMessageBody<T>(SendContext<T> context)
        where T : class
    {
        // Anything else would be read back as the cached BenchMessage: refuse it rather than lie to a consumer.
        if (context.Message is not BenchMessage)
        {
            throw new NotSupportedException($"The free envelope carries only {nameof(BenchMessage)}, not {typeof(T).Name}.");
        }

        var id = context.MessageId ?? throw new InvalidOperationException("The free envelope needs the send context's message id.");
        var bytes = new byte[IdLength];
        id.TryWriteBytes(bytes);
        return new BytesMessageBody(bytes);
    }

    public ConsumeContext Deserialize(ReceiveContext receiveContext) =>
        new MassTransit.Serialization.BodyConsumeContext(
            receiveContext, Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        var bytes = body.GetBytes();
        return bytes.Length == IdLength
            ? new FreeEnvelopeSerializerContext(new FreeEnvelopeMessageContext(new Guid(bytes), headers, destinationAddress))
            : throw new SerializationException($"A free envelope is the {IdLength} bytes of a message id; this body has {bytes.Length}.");
    }

    public MessageBody GetMessageBody(string text) => new BytesMessageBody(Convert.FromBase64String(text));

    public void Probe(ProbeContext context) => context.CreateScope("microcomms-bench-free").Add("contentType", ContentType.MediaType);
}
