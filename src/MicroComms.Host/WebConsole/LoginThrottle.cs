using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// Counts failed logins in a sliding window; past <see cref="ConsoleOptions.MaxFailedLogins"/> every login is refused
/// until the oldest failure leaves the window, so a password cannot be guessed at network speed. One operator
/// account, so one counter for the process.
/// </summary>
public sealed class LoginThrottle(IOptions<ConsoleOptions> options, TimeProvider time)
{
    private readonly Queue<DateTimeOffset> _failures = new();
    private readonly Lock _lock = new();

    /// <summary>How long until a login may be tried again; zero when it may be tried now.</summary>
    public TimeSpan RetryAfter()
    {
        lock (_lock)
        {
            Forget();
            return _failures.Count < options.Value.MaxFailedLogins
                ? TimeSpan.Zero
                : _failures.Peek() + options.Value.FailedLoginWindow - time.GetUtcNow();
        }
    }

    public void Failed()
    {
        lock (_lock)
        {
            Forget();
            _failures.Enqueue(time.GetUtcNow());
        }
    }

    private void Forget()
    {
        var since = time.GetUtcNow() - options.Value.FailedLoginWindow;
        while (_failures.Count > 0 && _failures.Peek() < since)
        {
            _failures.Dequeue();
        }
    }
}
