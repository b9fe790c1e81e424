using System.Buffers;
using System.Buffers.Text;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MassTransit.Serialization;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace MicroComms.Messaging.Serialization;

/// <summary>
/// How messages become MessagePack: contractless, so a contract stays a plain record (members keyed by their names, no
/// attributes, no schema to keep in step). Members typed as an interface (<c>Fault&lt;T&gt;</c>'s exceptions and host)
/// are written as their runtime type and read as the implementation MassTransit generates for the interface;
/// a <see cref="JsonElement"/> (a payload read from a JSON envelope) is carried as the MessagePack it describes. Times
/// are ISO 8601 text, as in JSON: MessagePack's own forms (a timestamp extension, an array for an offset) do not turn
/// into JSON that MassTransit's options read back.
/// </summary>
internal static class ContractlessOptions
{
    public static readonly MessagePackSerializerOptions Instance = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create(
            [new JsonElementFormatter(), new IsoDateTimeOffsetFormatter(), new IsoDateTimeFormatter()],
            [InterfaceResolver.Instance, ContractlessStandardResolver.Instance]))
        .WithSecurity(MessagePackSecurity.UntrustedData);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Type> Implementations = new();

    /// <summary>
    /// Reads an interface as the class MassTransit generates for it (the one its JSON options build): straight from
    /// MessagePack, as the saga's scheduling commands and every <c>Fault&lt;T&gt;</c> arrive. An abstract class has no
    /// such implementation and goes through JSON.
    /// </summary>
    public static object? ReadInterface(ReadOnlyMemory<byte> raw, Type type) => type.IsInterface
        ? MessagePackSerializer.Deserialize(
            Implementations.GetOrAdd(type, MassTransit.Metadata.TypeMetadataCache.GetImplementationType), raw, Instance)
        : ReadThroughJson(raw, type);

    /// <summary>Reads MessagePack <paramref name="raw"/> as <paramref name="type"/> through MassTransit's JSON options.</summary>
    public static object? ReadThroughJson(ReadOnlyMemory<byte> raw, Type type) =>
        JsonSerializer.Deserialize(MessagePackSerializer.ConvertToJson(raw, Instance), type, SystemTextJsonMessageSerializer.Options);

    private sealed class InterfaceResolver : IFormatterResolver
    {
        public static readonly InterfaceResolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

        private static class Cache<T>
        {
            // Collections and dictionaries are the standard resolvers' business.
            public static readonly IMessagePackFormatter<T>? Formatter =
                typeof(T).IsInterface && !typeof(IEnumerable).IsAssignableFrom(typeof(T)) ? new InterfaceFormatter<T>() : null;
        }
    }

    private sealed class InterfaceFormatter<T> : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            MessagePackSerializer.Serialize(value.GetType(), ref writer, value, options);
        }

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
            {
                return default!;
            }

            return (T)ReadInterface(reader.ReadRaw().ToArray(), typeof(T))!;
        }
    }

    private sealed class JsonElementFormatter : IMessagePackFormatter<JsonElement>
    {
        public void Serialize(ref MessagePackWriter writer, JsonElement value, MessagePackSerializerOptions options) =>
            writer.WriteRaw(MessagePackSerializer.ConvertFromJson(value.GetRawText(), options));

        public JsonElement Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            JsonSerializer.Deserialize<JsonElement>(MessagePackSerializer.ConvertToJson(reader.ReadRaw().ToArray(), options));
    }

    /// <summary>
    /// ISO 8601 round-trip text ("O"), formatted and, in that form, parsed as UTF-8 in place; any other ISO text (a
    /// payload that came from JSON) goes through the general parser.
    /// </summary>
    private sealed class IsoDateTimeOffsetFormatter : IMessagePackFormatter<DateTimeOffset>
    {
        public void Serialize(ref MessagePackWriter writer, DateTimeOffset value, MessagePackSerializerOptions options)
        {
            Span<byte> text = stackalloc byte[MaxIsoLength];
            value.TryFormat(text, out var length, "O", CultureInfo.InvariantCulture);
            WriteUtf8(ref writer, text[..length]);
        }

        public DateTimeOffset Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadStringSpan(out var text))
            {
                return Utf8Parser.TryParse(text, out DateTimeOffset value, out var read, 'O') && read == text.Length
                    ? value
                    : DateTimeOffset.Parse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            }

            return DateTimeOffset.Parse(reader.ReadString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        }
    }

    private sealed class IsoDateTimeFormatter : IMessagePackFormatter<DateTime>
    {
        public void Serialize(ref MessagePackWriter writer, DateTime value, MessagePackSerializerOptions options)
        {
            Span<byte> text = stackalloc byte[MaxIsoLength];
            value.TryFormat(text, out var length, "O", CultureInfo.InvariantCulture);
            WriteUtf8(ref writer, text[..length]);
        }

        public DateTime Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            DateTime.Parse(reader.ReadString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    private static void WriteUtf8(ref MessagePackWriter writer, scoped ReadOnlySpan<byte> text)
    {
        writer.WriteStringHeader(text.Length);
        text.CopyTo(writer.GetSpan(text.Length));
        writer.Advance(text.Length);
    }

    /// <summary>"O" is 33 characters with an offset (28 with Z); room to spare.</summary>
    private const int MaxIsoLength = 48;
}
