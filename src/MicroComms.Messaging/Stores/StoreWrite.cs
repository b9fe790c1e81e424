using MicroComms.Messaging.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace MicroComms.Messaging.Stores;

/// <summary>
/// Runs a short write: in the DbContext's group commit when it has one (<see cref="SqliteGroupCommit{TDbContext}"/>,
/// SQLite only), otherwise in a transaction of its own (BEGIN IMMEDIATE on SQLite, so the busy timeout applies to taking
/// the lock; READ COMMITTED on PostgreSQL, where every statement that must not race re-checks its own condition or holds
/// row locks), tried again when the store answers busy, deadlock or serialization failure (<see cref="StoreErrors.IsBusy"/>).
/// </summary>
internal static class StoreWrite
{
    public static async Task<T> RunAsync<T>(DbContext db, int attempts, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (GroupCommitOf(db) is { } group && group.CanJoin(db))
        {
            return await group.RunAsync(db, work, cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var result = await work(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (Exception ex) when (attempt < attempts && StoreErrors.IsBusy(ex))
            {
                await BackOffAsync(attempt, cancellationToken);
            }
        }
    }

    public static Task RunAsync(DbContext db, int attempts, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        RunAsync(db, attempts, async ct =>
        {
            await work(ct);
            return true;
        }, cancellationToken);

    /// <summary>The wait before the next try after the store answered busy (another writer got there first).</summary>
    public static Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * attempt), cancellationToken);

    private static ISqliteGroupCommit? GroupCommitOf(DbContext db) =>
        db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<ISqliteGroupCommit>().FirstOrDefault();
}
