using MassTransit;
using MicroComms.Messaging.BusOutbox;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// One message waiting for its time: the stored envelope (<see cref="StoredEnvelope"/>, the outbox's row shape) so
/// that, once due, it is sent exactly as the scheduling side would have sent it, plus the token and due time.
/// </summary>
internal sealed class ScheduledMessageRow : StoredEnvelope
{
    /// <summary>The table keeps headers and properties NOT NULL: an empty JSON object until they are set.</summary>
    public ScheduledMessageRow()
    {
        Headers = "{}";
        Properties = "{}";
    }

    /// <summary>The schedule token (ScheduleMessage.CorrelationId); CancelScheduledMessage names it.</summary>
    public Guid TokenId { get; set; }

    /// <summary>Due time as Unix milliseconds (UTC): an integer orders and compares correctly in SQLite.</summary>
    public long DueAt { get; set; }

    /// <summary>Claim token of the dispatcher batch that owns the row, null when nobody does.</summary>
    public Guid? LockToken { get; set; }

    /// <summary>Unix milliseconds after which a claim is void (its owner is presumed dead).</summary>
    public long? LockedUntil { get; set; }

    /// <summary>Unix milliseconds when the row was set aside after too many such failures; null while it is in line.</summary>
    public long? SetAsideAt { get; set; }

    /// <summary>
    /// The scheduler's headers were received from a transport and written by <see cref="HeaderJson"/>, which keeps
    /// only plain strings, integers, doubles and booleans; they are read back as the same types.
    /// </summary>
    protected override Dictionary<string, object>? ReadJson(string json, IObjectDeserializer deserializer) => HeaderJson.Deserialize(json);
}
