using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging;

/// <summary>
/// Outbox and inbox settings of one DbContext, set in <c>x.AddMicroCommsOutbox&lt;TDbContext&gt;(o =&gt; ...)</c> and
/// overridable from <c>MicroComms:Outbox</c>. The defaults are meant to be right without tuning.
/// </summary>
public sealed class MicroCommsOutboxOptions : IValidatableObject
{
    public const string SectionName = "MicroComms:Outbox";

    /// <summary>True once <see cref="UseBusOutbox"/> was called: sends and publishes outside a consumer go to the outbox.</summary>
    public bool BusOutbox { get; set; }

    /// <summary>
    /// False keeps the delivery service from running (another process delivers, or a test wants rows to wait). It sends
    /// bus-outbox messages and, with or without the bus outbox, consumer-outbox messages whose processor did not finish.
    /// </summary>
    public bool DeliveryService { get; set; } = true;

    /// <summary>How often the delivery service looks for committed messages when nothing woke it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan QueryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an inbox row is kept after delivery, i.e. how late a duplicate can arrive and still be recognised.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "90.00:00:00")]
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the cleanup service deletes inbox rows older than the window.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Owners (bus-outbox scopes) one delivery pass leases at once.</summary>
    [Range(1, 10_000)]
    public int QueryMessageLimit { get; set; } = 200;

    /// <summary>Sends awaiting a publisher confirm at once; one confirm at a time would make every send wait a broker round trip.</summary>
    [Range(1, 10_000)]
    public int MaxMessagesInFlight { get; set; } = 100;

    /// <summary>
    /// Messages an endpoint under the consumer outbox processes at once, unless the endpoint sets its own limit; null
    /// keeps MicroComms' default for every endpoint. Each message there mostly waits, for the shared commit and then
    /// for the publisher confirms of what it sends (far longer than its own work at saturation), so the
    /// endpoint needs more in flight than one whose consumers keep the CPU busy, and every commit carries more saves.
    /// </summary>
    [Range(1, 10_000)]
    public int? ConcurrentMessageLimit { get; set; } = 128;

    /// <summary>Outgoing messages of one consumed message delivered per pass of MassTransit's outbox pipe.</summary>
    [Range(1, 100_000)]
    public int MessageDeliveryLimit { get; set; } = 1000;

    /// <summary>How long one send may wait for the broker's confirm before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MessageDeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a delivery service (or a consumer delivering its outgoing messages) owns what it leased.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Failed attempts, caused by the message itself, after which a message is set aside so the ones behind it flow.</summary>
    [Range(1, 1000)]
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>First and longest wait between delivery passes while the broker refuses every send.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Writes of the DbContext (API calls' and consumers' saves, the outbox's own short writes) committed in one
    /// transaction when they queue up behind a running commit. 1 commits each write alone.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxSavesPerCommit { get; set; } = 100;

    /// <summary>Tries of one short write transaction when SQLite answers 'database is locked'.</summary>
    [Range(1, 100)]
    public int BusyRetryLimit { get; set; } = 10;

    /// <summary>Turns on the bus outbox (publishing from an API call or any code outside a consumer).</summary>
    public MicroCommsOutboxOptions UseBusOutbox(bool deliveryService = true)
    {
        BusOutbox = true;
        DeliveryService = deliveryService;
        return this;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinBackoff > MaxBackoff)
        {
            yield return new ValidationResult(
                $"MicroComms:Outbox: MinBackoff ({MinBackoff}) must not exceed MaxBackoff ({MaxBackoff}).",
                [nameof(MinBackoff), nameof(MaxBackoff)]);
        }

        // A delivery pass stops starting sends well before its lease ends, so that it can record them in time.
        if (LeaseDuration < MessageDeliveryTimeout * 3)
        {
            yield return new ValidationResult(
                $"MicroComms:Outbox: LeaseDuration ({LeaseDuration}) must be at least three times MessageDeliveryTimeout ({MessageDeliveryTimeout}).",
                [nameof(LeaseDuration), nameof(MessageDeliveryTimeout)]);
        }
    }
}
