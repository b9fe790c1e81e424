using MassTransit;

namespace MicroComms.Messaging.Serialization;

/// <summary>
/// A binary envelope as MassTransit carries bodies. Its text form is base64: the outbox, the inbox and the scheduler keep
/// bodies in a text column, and the binary deserializer reads that text back (<see cref="MessagePackEnvelopeSerializer.GetMessageBody(string)"/>).
/// </summary>
internal sealed class MessagePackBody(byte[] bytes) : MessageBody
{
    public long? Length => bytes.Length;

    public Stream GetStream() => new MemoryStream(bytes, false);

    public byte[] GetBytes() => bytes;

    public string GetString() => Convert.ToBase64String(bytes);
}
