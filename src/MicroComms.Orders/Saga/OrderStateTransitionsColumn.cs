using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MicroComms.Orders.Saga;

/// <summary>
/// <see cref="OrderState.Transitions"/> as one JSON text column of the saga row: plain text on SQLite and PostgreSQL
/// alike, read and written with the row (no join, no second table to keep in step), and small (three or four entries
/// of about 80 bytes for an order that finished).
/// </summary>
internal static class OrderStateTransitionsColumn
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static readonly ValueConverter<List<OrderStateTransition>, string> Converter = new(
        transitions => JsonSerializer.Serialize(transitions, Json),
        text => string.IsNullOrEmpty(text) ? new List<OrderStateTransition>() : JsonSerializer.Deserialize<List<OrderStateTransition>>(text, Json) ?? new List<OrderStateTransition>());

    // The recorder appends to the loaded list in place: EF must compare contents (records compare by value) and keep a
    // copy as the snapshot, or it would never see the change and the UPDATE would leave the column as it was.
    public static readonly ValueComparer<List<OrderStateTransition>> Comparer = new(
        (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
        transitions => transitions.Aggregate(0, (hash, t) => HashCode.Combine(hash, t)),
        transitions => transitions.ToList());
}
