using System.Runtime.Serialization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit.Serialization;
using MessagePack;

namespace MicroComms.Messaging.Serialization;

/// <summary>
/// The envelopes MicroComms reads, by content type, and one way to show any of them to a person: <c>errors show</c> and
/// the operator console print a parked or stored message with <see cref="ToIndentedJson"/>, whatever format it was sent in.
/// </summary>
public static class MessageBodyFormat
{
    /// <summary>MassTransit's JSON envelope, the default, and what a message without a content type is read as.</summary>
    public const string JsonContentType = "application/vnd.masstransit+json";

    /// <summary>MicroComms' binary envelope (<c>MicroComms:Serializer=MessagePack</c>).</summary>
    public const string MessagePackContentType = "application/vnd.microcomms+msgpack";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>True for the binary envelope's content type (parameters such as a charset ignored).</summary>
    public static bool IsMessagePack(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(MessagePackContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The body as indented JSON: a JSON body re-indented, a binary envelope decoded with the same field names as the
    /// JSON envelope. A <paramref name="body"/> stored as text (an outbox or scheduler row) is the text's UTF-8 bytes;
    /// a binary one stored as text is base64 (use <see cref="StoredBodyToIndentedJson"/>). Throws
    /// <see cref="FormatException"/> when the body does not read as its content type says.
    /// </summary>
    public static string ToIndentedJson(ReadOnlyMemory<byte> body, string? contentType)
    {
        try
        {
            if (IsMessagePack(contentType))
            {
                return DecodeMessagePack(body).ToJsonString(Indented);
            }

            using var document = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (Exception ex) when (ex is JsonException or SerializationException or MessagePackSerializationException or EndOfStreamException)
        {
            throw new FormatException($"The body does not read as {contentType ?? "JSON"}: {ex.Message}", ex);
        }
    }

    /// <summary>As <see cref="ToIndentedJson"/> for a body kept in a text column: base64 for the binary envelope.</summary>
    public static string StoredBodyToIndentedJson(string body, string? contentType) =>
        ToIndentedJson(IsMessagePack(contentType) ? Convert.FromBase64String(body) : System.Text.Encoding.UTF8.GetBytes(body), contentType);

    private static JsonObject DecodeMessagePack(ReadOnlyMemory<byte> body)
    {
        var envelope = MessagePackEnvelope.Read(body, SystemTextJsonMessageSerializer.Instance);
        var headers = new JsonObject();
        foreach (var (key, value) in envelope.HeaderValues)
        {
            headers[key] = JsonSerializer.SerializeToNode(value, SystemTextJsonMessageSerializer.Options);
        }

        return new JsonObject
        {
            ["messageId"] = envelope.MessageId?.ToString(),
            ["requestId"] = envelope.RequestId?.ToString(),
            ["correlationId"] = envelope.CorrelationId?.ToString(),
            ["conversationId"] = envelope.ConversationId?.ToString(),
            ["initiatorId"] = envelope.InitiatorId?.ToString(),
            ["sourceAddress"] = envelope.SourceAddress?.ToString(),
            ["destinationAddress"] = envelope.DestinationAddress?.ToString(),
            ["responseAddress"] = envelope.ResponseAddress?.ToString(),
            ["faultAddress"] = envelope.FaultAddress?.ToString(),
            ["messageType"] = new JsonArray(envelope.MessageType.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["message"] = JsonNode.Parse(MessagePackSerializer.ConvertToJson(envelope.Message, ContractlessOptions.Instance)),
            ["expirationTime"] = envelope.ExpirationTime,
            ["sentTime"] = envelope.SentTime,
            ["headers"] = headers,
        };
    }
}
