namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// One message waiting for its time: the full envelope (body, ids, addresses, headers, transport
/// properties) so that, once due, it is sent exactly as the scheduling side would have sent it.
/// </summary>
internal sealed class ScheduledMessageRow
{
    /// <summary>The schedule token (ScheduleMessage.CorrelationId); CancelScheduledMessage names it.</summary>
    public Guid TokenId { get; set; }

    /// <summary>Due time as Unix milliseconds (UTC): an integer orders and compares correctly in SQLite.</summary>
    public long DueAt { get; set; }

    public string Destination { get; set; } = "";

    public Guid MessageId { get; set; }

    public string ContentType { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string Body { get; set; } = "";

    public Guid? CorrelationId { get; set; }

    public Guid? ConversationId { get; set; }

    public Guid? InitiatorId { get; set; }

    public Guid? RequestId { get; set; }

    public string? SourceAddress { get; set; }

    public string? ResponseAddress { get; set; }

    public string? FaultAddress { get; set; }

    public DateTime? ExpirationTime { get; set; }

    /// <summary>Headers as a JSON object.</summary>
    public string Headers { get; set; } = "{}";

    /// <summary>Transport properties as a JSON object.</summary>
    public string Properties { get; set; } = "{}";

    public long CreatedAt { get; set; }

    /// <summary>Claim token of the dispatcher batch that owns the row, null when nobody does.</summary>
    public Guid? LockToken { get; set; }

    /// <summary>Unix milliseconds after which a claim is void (its owner is presumed dead).</summary>
    public long? LockedUntil { get; set; }

    /// <summary>Failed sends that were the row's own fault (its destination or envelope), not the broker's.</summary>
    public int DeliveryAttempts { get; set; }

    /// <summary>Unix milliseconds when the row was set aside after too many such failures; null while it is in line.</summary>
    public long? SetAsideAt { get; set; }

    /// <summary>Why the last send failed.</summary>
    public string? FailureReason { get; set; }
}
