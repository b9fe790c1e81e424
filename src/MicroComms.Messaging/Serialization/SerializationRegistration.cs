using MassTransit;

namespace MicroComms.Messaging.Serialization;

/// <summary>
/// What every bus reads and writes: both envelopes are read on every endpoint (by content type; a message without one is
/// read as JSON), so a fleet can move to the binary envelope one service at a time; <c>MicroComms:Serializer</c> picks
/// the one this process writes, for sends, publishes, responses, faults and scheduling commands alike.
/// </summary>
internal static class SerializationRegistration
{
    public static void UseMicroCommsSerialization(this IBusFactoryConfigurator cfg, SerializerKind writes)
    {
        var messagePack = new MessagePackSerializerFactory();
        cfg.AddDeserializer(messagePack);
        if (writes == SerializerKind.MessagePack)
        {
            cfg.AddSerializer(messagePack);
        }
    }
}
