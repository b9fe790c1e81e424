using System.Diagnostics.CodeAnalysis;
using MassTransit;
using MassTransit.Serialization;
using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.FreeEnvelope;

/// <summary>
/// A received free envelope: it names <see cref="BenchMessage"/> as its only type and hands out one cached instance, so
/// reading a message costs nothing. Loose objects (header values) go through MassTransit's JSON, as for the other envelopes.
/// </summary>
internal sealed class FreeEnvelopeSerializerContext(MessageContext context)
    : BaseSerializerContext(SystemTextJsonMessageSerializer.Instance, context, MessageTypes)
{
    private static readonly string[] MessageTypes = [MessageUrn.ForTypeString<BenchMessage>()];

    private static readonly BenchMessage Cached = BenchMessage.Create(0);

    public override bool IsSupportedMessageType<T>() => typeof(T) == typeof(BenchMessage);

    public override bool IsSupportedMessageType(Type messageType) => messageType == typeof(BenchMessage);

    public override bool TryGetMessage<T>(out T? message)
        where T : class
    {
        message = Cached as T;
        return message is not null;
    }

    public override bool TryGetMessage(Type messageType, [NotNullWhen(true)] out object? message)
    {
        message = messageType == typeof(BenchMessage) ? Cached : null;
        return message is not null;
    }

    /// <summary>Sent again (a redelivery, the outbox) as a free envelope with the new send context's id.</summary>
    public override IMessageSerializer GetMessageSerializer() => FreeEnvelopeSerializer.Instance;

    public override IMessageSerializer GetMessageSerializer<T>(MessageEnvelope envelope, T message) => FreeEnvelopeSerializer.Instance;

    public override IMessageSerializer GetMessageSerializer(object message, string[] messageTypes) => FreeEnvelopeSerializer.Instance;

    public override Dictionary<string, object> ToDictionary<T>(T? message)
        where T : class =>
        throw new NotSupportedException("The free envelope has no fields to merge a message into; it exists only for the benchmark's bound row.");
}
