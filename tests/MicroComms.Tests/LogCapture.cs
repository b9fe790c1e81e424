using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MicroComms.Tests;

/// <summary>
/// A logger provider that keeps the entries a spec looks for (at <paramref name="minimum"/> or above, accepted by
/// <paramref name="matches"/>), from every category, e.g. to show that a race really happened or that nothing was
/// logged as an error.
/// </summary>
public sealed class LogCapture(LogLevel minimum, Func<string, Exception?, bool> matches) : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<string> _entries = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<string> Entries => _entries;

    public int Count => _entries.Count;

    /// <summary>Completes when the first entry is kept: a signal to await instead of polling the log.</summary>
    public Task FirstEntry => _first.Task;

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        if (matches(message, exception))
        {
            _entries.Enqueue($"{eventId.Name}: {message}");
            _first.TrySetResult();
        }
    }

    public void Dispose()
    {
    }
}
