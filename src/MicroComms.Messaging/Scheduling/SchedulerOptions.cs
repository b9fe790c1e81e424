using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging.Scheduling;

/// <summary>The durable message scheduler, bound from <c>MicroComms:Scheduler</c>.</summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    /// <summary>Connection string name of the scheduler's own SQLite database (<c>ConnectionStrings:Scheduler</c>).</summary>
    public const string ConnectionStringName = "Scheduler";

    /// <summary>The queue that receives MassTransit's ScheduleMessage / CancelScheduledMessage commands.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9._-]*$", ErrorMessage = "QueueName must be a lower-case queue name.")]
    public string QueueName { get; set; } = "microcomms-scheduler";

    /// <summary>
    /// Longest wait between two looks at the table. New rows stored by this process wake the dispatcher at
    /// once; rows stored by another process sharing the database are found within this interval.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a claimed row belongs to the process that claimed it. A process that dies after claiming
    /// leaves the row to others once the lease runs out, so it must comfortably exceed one batch's send time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Due rows claimed at once.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Failed sends that are the row's own fault (a destination this bus cannot reach, an envelope that no longer
    /// reads) before the row is set aside for an operator (<c>microcomms scheduler</c>). Broker outages do not count.
    /// </summary>
    [Range(1, 1000)]
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>Pause after a failed look at the table or a failed send before trying again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ErrorBackoff { get; set; } = TimeSpan.FromSeconds(2);
}
