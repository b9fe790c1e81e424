namespace MicroComms.Messaging.Serialization;

/// <summary>The envelope a process writes (<c>MicroComms:Serializer</c>); it reads both, whichever it writes.</summary>
public enum SerializerKind
{
    /// <summary>MassTransit's JSON envelope, <c>application/vnd.masstransit+json</c>.</summary>
    Json,

    /// <summary>MicroComms' MessagePack envelope, <c>application/vnd.microcomms+msgpack</c>.</summary>
    MessagePack,
}
