using Microsoft.Extensions.Logging;

namespace MicroComms.Tests.Sagas;

/// <summary>Counts the repository's "lost a concurrent write" log entries, to show the test really raced.</summary>
public sealed class ConflictLog : ILoggerProvider, ILogger
{
    private int conflicts;

    public int Conflicts => Volatile.Read(ref conflicts);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (formatter(state, exception).Contains("lost a concurrent write", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref conflicts);
        }
    }

    public void Dispose()
    {
    }
}
