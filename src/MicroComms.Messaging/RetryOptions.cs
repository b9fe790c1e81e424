using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging;

/// <summary>Default retry policy of every receive endpoint, bound from <c>MicroComms:Retry</c>.</summary>
public sealed class RetryOptions
{
    /// <summary>Immediate (in-process) attempts after the first one.</summary>
    [Range(0, 20)]
    public int ImmediateLimit { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan IntervalDelta { get; set; } = TimeSpan.FromMilliseconds(200);
}
