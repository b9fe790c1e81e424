using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging.Sagas;

/// <summary>
/// Retry policy for saga writes that lost an optimistic-concurrency race, bound from <c>MicroComms:Sagas</c>.
/// Conflicts are expected under load (many events for one instance at once), so the limit is far higher
/// than the general retry policy's, and the intervals are short and randomised so competing messages
/// do not collide again in lock-step.
/// </summary>
public sealed class SagaConcurrencyOptions
{
    public const string SectionName = "MicroComms:Sagas";

    [Range(1, 1000)]
    public int RetryLimit { get; set; } = 50;

    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan IntervalDelta { get; set; } = TimeSpan.FromMilliseconds(10);
}
