using System.Net.Mime;
using MassTransit;

namespace MicroComms.Benchmarks.Scenarios.FreeEnvelope;

/// <summary>Registers <see cref="FreeEnvelopeSerializer"/> with MassTransit under its content type.</summary>
internal sealed class FreeEnvelopeSerializerFactory : ISerializerFactory
{
    public ContentType ContentType => FreeEnvelopeSerializer.FreeContentType;

    public IMessageSerializer CreateSerializer() => FreeEnvelopeSerializer.Instance;

    public IMessageDeserializer CreateDeserializer() => FreeEnvelopeSerializer.Instance;
}
