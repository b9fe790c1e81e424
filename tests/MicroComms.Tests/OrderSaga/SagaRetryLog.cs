using MicroComms.Messaging.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Tests.OrderSaga;

/// <summary>
/// Counts MassTransit's retry log entries (<c>R-RETRY</c>, one per attempt that will be retried) caused by a lost saga
/// race. Under the consumer outbox the repository's writes are committed by the outbox, so the race shows as the
/// version check (DbUpdateConcurrencyException) or a duplicate new instance (DbUpdateException) failing that commit.
/// </summary>
internal sealed class SagaRetryLog : ILoggerProvider, ILogger
{
    private int retries;

    public int Retries => Volatile.Read(ref retries);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (formatter(state, exception).StartsWith("R-RETRY", StringComparison.Ordinal) && IsSagaRace(exception))
        {
            Interlocked.Increment(ref retries);
        }
    }

    public void Dispose()
    {
    }

    private static bool IsSagaRace(Exception? exception) =>
        exception is SagaConcurrencyException or DbUpdateException;
}
