using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Inbox;

/// <summary>Carries out <see cref="CrashPointOptions"/>; costs one null check per commit when it is off.</summary>
internal sealed class CrashPoint(IOptions<CrashPointOptions> options, ILogger<CrashPoint> logger)
{
    private readonly CrashPointOptions _options = options.Value;
    private int _commits;

    public void AfterCommit(string messageType, Guid? messageId)
    {
        if (_options.AfterCommitOf is null
            || !string.Equals(_options.AfterCommitOf, messageType, StringComparison.Ordinal)
            || Interlocked.Increment(ref _commits) != _options.AfterCommitNumber)
        {
            return;
        }

        logger.LogCritical("Crash point: {MessageType} {MessageId} committed, ending the process before its outgoing messages are sent ({Mode})",
            messageType, messageId, _options.Mode);
        if (_options.Mode == CrashMode.Kill)
        {
            Process.GetCurrentProcess().Kill();
        }

        throw new InvalidOperationException($"Crash point after the commit of {messageType} {messageId}.");
    }
}
