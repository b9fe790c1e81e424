using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Outbox;

/// <summary>
/// Runs a short write transaction (BEGIN IMMEDIATE on SQLite, so the busy timeout applies to taking the lock) and
/// retries it when SQLite still reports 'database is locked' or 'busy'.
/// </summary>
internal static class SqliteWrite
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraint = 19;

    public static async Task<T> RunAsync<T>(DbContext db, int attempts, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var result = await work(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (Exception ex) when (attempt < attempts && IsBusy(ex))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * attempt), cancellationToken);
            }
        }
    }

    public static Task RunAsync(DbContext db, int attempts, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        RunAsync(db, attempts, async ct =>
        {
            await work(ct);
            return true;
        }, cancellationToken);

    public static bool IsBusy(Exception ex) =>
        ex.GetBaseException() is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    public static bool IsUniqueViolation(Exception ex) =>
        ex.GetBaseException() is SqliteException { SqliteErrorCode: SqliteConstraint };
}
