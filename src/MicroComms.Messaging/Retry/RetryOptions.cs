using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging.Retry;

/// <summary>
/// Default retry policy of every receive endpoint, bound from <c>MicroComms:Retry</c>: immediate retries
/// in process, then delayed redeliveries through the scheduler, then the error queue.
/// </summary>
public sealed class RetryOptions : IValidatableObject
{
    public const string SectionName = "Retry";

    /// <summary>Immediate (in-process) attempts after the first one.</summary>
    [Range(0, 20)]
    public int ImmediateLimit { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Growth step of the exponential back-off; each policy draws its step from 80–120 % of it (jitter), so
    /// messages failing together do not retry in lock-step.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan IntervalDelta { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Whether a message that exhausted its immediate retries is redelivered later through the scheduler.</summary>
    public bool DelayedRedelivery { get; set; } = true;

    /// <summary>
    /// Delays of the redeliveries (second-level retries), one per redelivery. Unset means 5 s, 30 s, 2 min.
    /// Configure as <c>MicroComms:Retry:RedeliveryIntervals:0 = 00:00:05</c> and so on.
    /// </summary>
    public TimeSpan[]? RedeliveryIntervals { get; set; }

    public IReadOnlyList<TimeSpan> EffectiveRedeliveryIntervals =>
        RedeliveryIntervals is { Length: > 0 } intervals ? intervals : DefaultRedeliveryIntervals;

    private static readonly TimeSpan[] DefaultRedeliveryIntervals =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxInterval < MinInterval)
        {
            yield return new ValidationResult(
                $"MicroComms:Retry:MaxInterval ({MaxInterval}) must not be less than MinInterval ({MinInterval}).",
                [nameof(MaxInterval)]);
        }

        if (RedeliveryIntervals is { } intervals)
        {
            if (intervals.Length > 20)
            {
                yield return new ValidationResult("MicroComms:Retry:RedeliveryIntervals allows at most 20 entries.", [nameof(RedeliveryIntervals)]);
            }

            if (intervals.Any(x => x <= TimeSpan.Zero || x > TimeSpan.FromDays(7)))
            {
                yield return new ValidationResult(
                    "Each MicroComms:Retry:RedeliveryIntervals entry must be more than zero and at most 7 days.",
                    [nameof(RedeliveryIntervals)]);
            }
        }
    }
}
