using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging;

/// <summary>
/// Queues this process's writers of one SQLite database before they ask SQLite for its write lock. SQLite has one
/// writer at a time anyway; without the queue, every concurrent writer spins in SQLite's busy handler, which sleeps
/// on a thread-pool thread (1, 2, 5 ... 100 ms) and wakes at random: under load the lock sits idle between writers and
/// the blocked threads starve everything else in the process (the outbox benchmark measured 130-300 commits/s with
/// 100 writers against 640/s with one). Waiting here is asynchronous and first come, first served, except that
/// <see cref="Priority.Drain"/> writers (the outbox delivery service recording what it sent) go before everyone
/// queued: otherwise a busy API keeps the outbox from draining. Other processes still meet SQLite's busy timeout,
/// which stays the ultimate arbiter.
/// </summary>
internal sealed class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _drainers = new();
    private readonly Queue<TaskCompletionSource> _writers = new();
    private bool _taken;

    public enum Priority
    {
        /// <summary>Application and consumer writes: in arrival order.</summary>
        Normal,

        /// <summary>Writes that empty the outbox: ahead of every normal writer still waiting.</summary>
        Drain,
    }

    /// <summary>The gate of <paramref name="db"/>'s database; null for in-memory databases (one per connection, nothing to queue).</summary>
    public static SqliteWriteGate? For(DbContext db)
    {
        if (!db.Database.IsSqlite() || db.Database.GetConnectionString() is not { Length: > 0 } connectionString)
        {
            return null;
        }

        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            return null;
        }

        return Gates.GetOrAdd(Path.GetFullPath(builder.DataSource), _ => new SqliteWriteGate());
    }

    /// <summary>
    /// Waits for this process's turn to write. Returns the turn to dispose when done, or null when the wait outlasted
    /// SQLite's own busy timeout: the caller then proceeds ungated and SQLite decides, exactly as without the gate, so
    /// a turn that was never given back (or a writer waiting on itself) can only slow writes down, never hang them.
    /// </summary>
    public async Task<Turn?> EnterAsync(Priority priority, CancellationToken cancellationToken)
    {
        if (TryTakeOrQueue(priority) is not { } waiter)
        {
            return new Turn(this);
        }

        try
        {
            await waiter.Task.WaitAsync(SqliteConnectionPragmas.BusyTimeout, cancellationToken);
            return new Turn(this);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return GiveUp(waiter, ex);
        }
    }

    public Turn? Enter()
    {
        if (TryTakeOrQueue(Priority.Normal) is not { } waiter)
        {
            return new Turn(this);
        }

        try
        {
            return waiter.Task.Wait(SqliteConnectionPragmas.BusyTimeout) ? new Turn(this) : GiveUp(waiter, null);
        }
        catch (AggregateException ex)
        {
            return GiveUp(waiter, ex);
        }
    }

    private TaskCompletionSource? TryTakeOrQueue(Priority priority)
    {
        lock (_lock)
        {
            if (!_taken)
            {
                _taken = true;
                return null;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (priority == Priority.Drain ? _drainers : _writers).Enqueue(waiter);
            return waiter;
        }
    }

    /// <summary>A waiter that stops waiting: if the turn was handed over meanwhile, pass it on; rethrow a cancellation.</summary>
    private Turn? GiveUp(TaskCompletionSource waiter, Exception? reason)
    {
        if (!waiter.TrySetCanceled())
        {
            Release();
        }

        if (reason is OperationCanceledException)
        {
            throw reason;
        }

        return null;
    }

    private void Release()
    {
        lock (_lock)
        {
            // Waiters that gave up are cancelled: TrySetResult skips them.
            while (_drainers.TryDequeue(out var next) || _writers.TryDequeue(out next))
            {
                if (next.TrySetResult())
                {
                    return;
                }
            }

            _taken = false;
        }
    }

    /// <summary>One writer's turn; disposing it (once) lets the next writer in.</summary>
    public sealed class Turn(SqliteWriteGate gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
