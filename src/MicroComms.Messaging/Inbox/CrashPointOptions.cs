using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging.Inbox;

/// <summary>
/// A test-only fault point (<c>MicroComms:CrashPoint</c>), off unless <see cref="AfterCommitOf"/> is set: the crash specs
/// use it to end a service at the worst moment of the consumer outbox, after its commit and before its sends.
/// </summary>
internal sealed class CrashPointOptions
{
    public const string SectionName = "MicroComms:CrashPoint";

    /// <summary>The message type (short name, e.g. <c>SubmitOrder</c>) whose commit triggers the crash; null for never.</summary>
    public string? AfterCommitOf { get; set; }

    /// <summary>Which commit of that type triggers it (1 = the first).</summary>
    [Range(1, int.MaxValue)]
    public int AfterCommitNumber { get; set; } = 1;

    /// <summary><see cref="CrashMode.Kill"/> ends the process as kill -9 would; <see cref="CrashMode.Throw"/> fails the message instead.</summary>
    public CrashMode Mode { get; set; } = CrashMode.Kill;
}
