using System.Text.Json;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// Headers and transport properties to and from JSON. Values come back as plain strings, integers, doubles
/// and booleans, the types the transports can write into a message's headers.
/// </summary>
internal static class HeaderJson
{
    public static string Serialize(IEnumerable<KeyValuePair<string, object>> values)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            copy[key] = value switch
            {
                null => null,
                string or bool or int or long or double or decimal => value,
                DateTime time => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                DateTimeOffset time => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                _ => value.ToString(),
            };
        }

        return JsonSerializer.Serialize(copy);
    }

    public static Dictionary<string, object> Deserialize(string json)
    {
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            object? value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number when property.Value.TryGetInt64(out var integer) => integer,
                JsonValueKind.Number => property.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => property.Value.GetRawText(),
            };
            if (value is not null)
            {
                result[property.Name] = value;
            }
        }

        return result;
    }
}
