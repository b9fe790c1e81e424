using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging;

/// <summary>
/// Queues this process's writers of one SQLite database before they ask SQLite for its write lock. SQLite has one
/// writer at a time anyway; without the queue, every concurrent writer spins in SQLite's busy handler, which sleeps
/// on a thread-pool thread (1, 2, 5 ... 100 ms) and wakes at random: under load the lock sits idle between writers and
/// the blocked threads starve everything else in the process (the outbox benchmark measured 130-300 commits/s with
/// 100 writers against 640/s with one). Waiting here is asynchronous and first come, first served. Other processes
/// still meet SQLite's busy timeout, which stays the ultimate arbiter.
/// </summary>
[SuppressMessage("Reliability", "CA2213:Disposable fields should be disposed", Justification = "Gates live as long as the process.")]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Gates live as long as the process; a SemaphoreSlim whose wait handle is never read holds no OS resource.")]
internal sealed class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _semaphore = new(1, 1);

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
    public async Task<Turn?> EnterAsync(CancellationToken cancellationToken) =>
        await _semaphore.WaitAsync(SqliteConnectionPragmas.BusyTimeout, cancellationToken) ? new Turn(_semaphore) : null;

    public Turn? Enter() => _semaphore.Wait(SqliteConnectionPragmas.BusyTimeout) ? new Turn(_semaphore) : null;

    /// <summary>One writer's turn; disposing it (once) lets the next writer in.</summary>
    public sealed class Turn(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
