using System.Runtime.CompilerServices;

namespace MicroComms.Testing;

/// <summary>
/// Waits for state that has no change notification (database rows, queue depths, counters) by polling it, bounded in
/// time: a condition still false at the deadline fails the test with the condition's own text, not a hang.
/// </summary>
public static class Poll
{
    /// <summary>Long enough for a busy two-core machine; a condition that needs more is waiting for something that went wrong.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Short enough not to slow a test down, long enough not to load the database it reads.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Completes once <paramref name="condition"/> is true; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static async Task Until(
        Func<Task<bool>> condition,
        TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(condition))] string? description = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {limit.TotalSeconds:0.#} s: {description}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <inheritdoc cref="Until(Func{Task{bool}}, TimeSpan?, string?)"/>
    public static Task Until(
        Func<bool> condition,
        TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(condition))] string? description = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Until(() => Task.FromResult(condition()), timeout, description);
    }
}
