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
/// Two repetitions are written once: message types without their common <c>urn:message:</c> prefix, and the other
/// addresses relative to the source address's broker and virtual host (<c>~</c> and the rest; <c>^</c> for a publish's
/// exchange, named after the first message type). The message stays
/// MessagePack bytes until a consumer asks for it as a type (<see cref="MessagePackSerializerContext"/>).
/// </summary>
internal sealed class MessagePackEnvelope : MessageContext
{
    /// <summary>The first element: the layout below, so a later layout can be told apart.</summary>
    private const int Layout = 1;

    private const int FieldCount = 15;

    private const string UrnPrefix = "urn:message:";

    /// <summary>Starts an address written relative to the source's base; no absolute URI starts with it.</summary>
    private const char Relative = '~';

    /// <summary>An address that is the base and the first message type: where a publish goes.</summary>
    private const char TypeExchange = '^';

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

    /// <summary>The envelope with <see cref="Message"/>, already MessagePack, as its message.</summary>
    public byte[] Write() => Write(this, static (ref MessagePackWriter writer, MessagePackEnvelope envelope) => writer.WriteRaw(envelope.Message.Span));

    /// <summary>The envelope with <paramref name="message"/> written straight into it (a send: no copy of the message's bytes).</summary>
    public byte[] Write<T>(T message)
        where T : class =>
        Write(message, static (ref MessagePackWriter writer, T message) =>
        {
            // The generic overload when the message is of the type it is sent as (the usual case): no per-call type lookup.
            if (message.GetType() == typeof(T))
            {
                MessagePackSerializer.Serialize(ref writer, message, ContractlessOptions.Instance);
            }
            else
            {
                MessagePackSerializer.Serialize(message.GetType(), ref writer, message, ContractlessOptions.Instance);
            }
        });

    private delegate void MessageWriter<TState>(ref MessagePackWriter writer, TState state);

    /// <summary>One buffer per thread for the writing; the body leaves it as its own array.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    private byte[] Write<TState>(TState state, MessageWriter<TState> writeMessage)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(FieldCount);
        writer.Write(Layout);
        WriteId(ref writer, MessageId);
        WriteId(ref writer, RequestId);
        WriteId(ref writer, CorrelationId);
        WriteId(ref writer, ConversationId);
        WriteId(ref writer, InitiatorId);
        writer.WriteArrayHeader(MessageType.Length);
        foreach (var type in MessageType)
        {
            writer.Write(type.StartsWith(UrnPrefix, StringComparison.Ordinal) ? type.AsSpan(UrnPrefix.Length) : type);
        }

        var source = SourceAddress?.ToString();
        var baseAddress = BaseOf(source);
        writer.Write(source);
        writer.Write(Shorten(DestinationAddress, baseAddress, MessageType));
        writer.Write(Shorten(ResponseAddress, baseAddress, []));
        writer.Write(Shorten(FaultAddress, baseAddress, []));
        writer.WriteMapHeader(HeaderValues.Count);
        foreach (var (key, value) in HeaderValues)
        {
            writer.Write(key);
            MessagePackSerializer.Serialize(ref writer, value, ContractlessOptions.Instance);
        }

        WriteTime(ref writer, SentTime);
        WriteTime(ref writer, ExpirationTime);
        writeMessage(ref writer, state);
        writer.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > MaxKeptBuffer)
        {
            // A rare large message should not pin its buffer to the thread.
            _buffer = null;
        }

        return bytes;
    }

    private const int MaxKeptBuffer = 64 * 1024;

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
        };
        envelope.MessageType = RepeatedTypes.Read(ref reader, body, []);
        (envelope.SourceAddress, envelope.DestinationAddress, envelope.ResponseAddress, envelope.FaultAddress) =
            RepeatedAddresses.Read(ref reader, body, envelope.MessageType);
        var headerCount = reader.ReadMapHeader();
        for (var i = 0; i < headerCount; i++)
        {
            var key = reader.ReadString() ?? throw new SerializationException("The envelope has a header without a name.");
            envelope.HeaderValues[key] = MessagePackSerializer.Deserialize<object?>(ref reader, ContractlessOptions.Instance);
        }

        envelope.Headers = new ReadOnlyDictionaryHeaders(deserializer, envelope.HeaderValues!);
        envelope.SentTime = ReadTime(ref reader);
        envelope.ExpirationTime = ReadTime(ref reader);
        var start = reader.Consumed;
        reader.Skip();
        envelope.Message = body.Slice((int)start, (int)(reader.Consumed - start));
        return envelope;
    }

    /// <summary>
    /// The message types and the addresses of one envelope repeat in the next from the same sender to the same endpoint:
    /// each is read once and reused while its bytes are the same (never shared otherwise; the arrays and URIs are not
    /// changed by anyone once read).
    /// </summary>
    private static readonly RepeatedBlock<string[]> RepeatedTypes = new(1, (ref MessagePackReader reader, string[] _) => ReadTypes(ref reader));

    private static readonly RepeatedBlock<(Uri?, Uri?, Uri?, Uri?)> RepeatedAddresses = new(4, ReadAddresses);

    private static string[] ReadTypes(ref MessagePackReader reader)
    {
        var types = new string[reader.ReadArrayHeader()];
        for (var i = 0; i < types.Length; i++)
        {
            var type = reader.ReadString() ?? throw new SerializationException("The envelope names a message type that is empty.");
            types[i] = type.StartsWith("urn:", StringComparison.Ordinal) ? type : UrnPrefix + type;
        }

        return types;
    }

    private static (Uri?, Uri?, Uri?, Uri?) ReadAddresses(ref MessagePackReader reader, string[] types)
    {
        var source = reader.ReadString();
        var baseAddress = BaseOf(source);
        return (source is null ? null : new Uri(source),
            ReadUri(ref reader, baseAddress, types),
            ReadUri(ref reader, baseAddress, types),
            ReadUri(ref reader, baseAddress, types));
    }

    private static void WriteId(ref MessagePackWriter writer, Guid? id)
    {
        if (id is not { } value)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteBinHeader(16);
        value.TryWriteBytes(writer.GetSpan(16));
        writer.Advance(16);
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

    /// <summary>The source address up to its virtual host (<c>rabbitmq://host:port/vhost/</c>), or null.</summary>
    private static string? BaseOf(string? source)
    {
        if (source is null)
        {
            return null;
        }

        // A bus sends from one address: parse it once, not per message.
        var last = _lastBase;
        if (last is not null && last.Source == source)
        {
            return last.Base;
        }

        var baseAddress = Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Segments.Length >= 2
            ? uri.GetLeftPart(UriPartial.Authority) + string.Concat(uri.Segments[..^1])
            : null;
        _lastBase = new BaseAddress(source, baseAddress);
        return baseAddress;
    }

    private static BaseAddress? _lastBase;

    private sealed record BaseAddress(string Source, string? Base);

    /// <summary>Relative to the base; a publish's destination, the exchange named after the message type, as <c>^</c> alone.</summary>
    private static string? Shorten(Uri? address, string? baseAddress, string[] types)
    {
        var text = address?.ToString();
        if (text is null || baseAddress is null || text.Length <= baseAddress.Length || !text.StartsWith(baseAddress, StringComparison.Ordinal))
        {
            return text;
        }

        var rest = text[baseAddress.Length..];
        return types.Length > 0 && types[0].Length == UrnPrefix.Length + rest.Length && types[0].EndsWith(rest, StringComparison.Ordinal)
            && types[0].StartsWith(UrnPrefix, StringComparison.Ordinal)
            ? TypeExchange.ToString()
            : Relative + rest;
    }

    private static Uri? ReadUri(ref MessagePackReader reader, string? baseAddress, string[] types)
    {
        if (reader.ReadString() is not { } text)
        {
            return null;
        }

        if (text.Length > 0 && (text[0] == Relative || text[0] == TypeExchange))
        {
            if (baseAddress is null || (text[0] == TypeExchange && types.Length == 0))
            {
                throw new SerializationException("The envelope has an address relative to a source address or message type it does not have.");
            }

            return new Uri(baseAddress + (text[0] == TypeExchange ? types[0][UrnPrefix.Length..] : text[1..]));
        }

        return new Uri(text);
    }

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
