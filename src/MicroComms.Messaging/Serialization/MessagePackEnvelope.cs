using System.Buffers;
using System.Runtime.Serialization;
using MassTransit;
using MassTransit.Metadata;
using MassTransit.Serialization;
using MessagePack;

namespace MicroComms.Messaging.Serialization;

/// <summary>
/// The binary envelope: every field of MassTransit's JSON envelope that a consumer, the outbox or the scheduler reads,
/// written as one MessagePack array in a fixed order, ids as 16 raw bytes. The host block of the JSON envelope (machine,
/// process, versions) is left out: nothing reads it from a received message, and it is most of the JSON envelope's size.
/// The message stays MessagePack bytes until a consumer asks for it as a type (<see cref="MessagePackSerializerContext"/>).
/// </summary>
internal sealed class MessagePackEnvelope : MessageContext
{
    /// <summary>The first element: the layout below, so a later layout can be told apart.</summary>
    private const int Layout = 1;

    private const int FieldCount = 15;

    public Guid? MessageId { get; set; }

    public Guid? RequestId { get; set; }

    public Guid? CorrelationId { get; set; }

    public Guid? ConversationId { get; set; }

    public Guid? InitiatorId { get; set; }

    public Uri? SourceAddress { get; set; }

    public Uri? DestinationAddress { get; set; }

    public Uri? ResponseAddress { get; set; }

    public Uri? FaultAddress { get; set; }

    public string[] MessageType { get; set; } = [];

    public Dictionary<string, object?> HeaderValues { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public DateTime? SentTime { get; set; }

    public DateTime? ExpirationTime { get; set; }

    /// <summary>The message itself, MessagePack as <see cref="ContractlessOptions"/> writes it.</summary>
    public ReadOnlyMemory<byte> Message { get; set; }

    /// <summary>Headers as MassTransit reads them; set when the envelope is read.</summary>
    public Headers Headers { get; private set; } = EmptyHeaders.Instance;

    public HostInfo Host => HostMetadataCache.Empty;

    /// <summary>The envelope of a message about to be sent.</summary>
    public static MessagePackEnvelope From(SendContext context) => new MessagePackEnvelope().Update(context);

    /// <summary>Takes what the send context sets (as MassTransit's JSON envelope does when a stored envelope is sent again).</summary>
    public MessagePackEnvelope Update(SendContext context)
    {
        MessageId = context.MessageId ?? MessageId;
        RequestId = context.RequestId ?? RequestId;
        CorrelationId = context.CorrelationId ?? CorrelationId;
        ConversationId = context.ConversationId ?? ConversationId;
        InitiatorId = context.InitiatorId ?? InitiatorId;
        SourceAddress = context.SourceAddress ?? SourceAddress;
        DestinationAddress = context.DestinationAddress ?? DestinationAddress;
        ResponseAddress = context.ResponseAddress ?? ResponseAddress;
        FaultAddress = context.FaultAddress ?? FaultAddress;
        SentTime ??= context.SentTime ?? DateTime.UtcNow;
        if (context.TimeToLive is { } ttl)
        {
            // As MassTransit's envelope: a time to live already spent still gives the message a second.
            ExpirationTime = DateTime.UtcNow + (ttl > TimeSpan.Zero ? ttl : TimeSpan.FromSeconds(1));
        }

        foreach (var header in context.Headers.GetAll())
        {
            HeaderValues[header.Key] = header.Value;
        }

        return this;
    }

    public byte[] Write()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + Message.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(FieldCount);
        writer.Write(Layout);
        WriteId(ref writer, MessageId);
        WriteId(ref writer, RequestId);
        WriteId(ref writer, CorrelationId);
        WriteId(ref writer, ConversationId);
        WriteId(ref writer, InitiatorId);
        writer.Write(SourceAddress?.ToString());
        writer.Write(DestinationAddress?.ToString());
        writer.Write(ResponseAddress?.ToString());
        writer.Write(FaultAddress?.ToString());
        writer.WriteArrayHeader(MessageType.Length);
        foreach (var type in MessageType)
        {
            writer.Write(type);
        }

        MessagePackSerializer.Serialize(ref writer, HeaderValues, ContractlessOptions.Instance);
        WriteTime(ref writer, SentTime);
        WriteTime(ref writer, ExpirationTime);
        writer.WriteRaw(Message.Span);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an envelope; throws <see cref="MessagePackSerializationException"/> or <see cref="SerializationException"/> when it is not one.</summary>
    public static MessagePackEnvelope Read(ReadOnlyMemory<byte> body, IObjectDeserializer deserializer)
    {
        var reader = new MessagePackReader(body);
        var count = reader.ReadArrayHeader();
        if (count < FieldCount || reader.ReadInt32() != Layout)
        {
            throw new SerializationException("The body is not a MicroComms MessagePack envelope of a layout this version reads.");
        }

        var envelope = new MessagePackEnvelope
        {
            MessageId = ReadId(ref reader),
            RequestId = ReadId(ref reader),
            CorrelationId = ReadId(ref reader),
            ConversationId = ReadId(ref reader),
            InitiatorId = ReadId(ref reader),
            SourceAddress = ReadUri(ref reader),
            DestinationAddress = ReadUri(ref reader),
            ResponseAddress = ReadUri(ref reader),
            FaultAddress = ReadUri(ref reader),
        };

        var types = new string[reader.ReadArrayHeader()];
        for (var i = 0; i < types.Length; i++)
        {
            types[i] = reader.ReadString() ?? throw new SerializationException("The envelope names a message type that is empty.");
        }

        envelope.MessageType = types;
        var headers = MessagePackSerializer.Deserialize<Dictionary<string, object?>?>(ref reader, ContractlessOptions.Instance);
        envelope.HeaderValues = headers is null
            ? new(StringComparer.OrdinalIgnoreCase)
            : new(headers, StringComparer.OrdinalIgnoreCase);
        envelope.Headers = new ReadOnlyDictionaryHeaders(deserializer, envelope.HeaderValues!);
        envelope.SentTime = ReadTime(ref reader);
        envelope.ExpirationTime = ReadTime(ref reader);
        var start = reader.Consumed;
        reader.Skip();
        envelope.Message = body.Slice((int)start, (int)(reader.Consumed - start));
        return envelope;
    }

    private static void WriteId(ref MessagePackWriter writer, Guid? id)
    {
        if (id is not { } value)
        {
            writer.WriteNil();
            return;
        }

        writer.Write(value.ToByteArray());
    }

    private static Guid? ReadId(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var bytes = reader.ReadBytes() ?? throw new SerializationException("An id in the envelope is empty.");
        return bytes.Length == 16 ? new Guid(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray())
            : throw new SerializationException("An id in the envelope is not 16 bytes long.");
    }

    private static Uri? ReadUri(ref MessagePackReader reader) => reader.ReadString() is { } text ? new Uri(text) : null;

    private static void WriteTime(ref MessagePackWriter writer, DateTime? time)
    {
        if (time is { } value)
        {
            writer.Write(value.ToUniversalTime());
        }
        else
        {
            writer.WriteNil();
        }
    }

    private static DateTime? ReadTime(ref MessagePackReader reader) => reader.TryReadNil() ? null : reader.ReadDateTime();
}
