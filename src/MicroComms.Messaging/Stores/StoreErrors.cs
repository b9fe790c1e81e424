using Microsoft.Data.Sqlite;
using Npgsql;

namespace MicroComms.Messaging.Stores;

/// <summary>Classifies store failures that mean "someone else got there first" rather than a real fault, on either store.</summary>
internal static class StoreErrors
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>The row already exists: another message inserted the same saga instance or inbox row first.</summary>
    public static bool IsDuplicateKey(Exception exception) =>
        Find<SqliteException>(exception) is { SqliteErrorCode: SqliteConstraint } e
            && e.SqliteExtendedErrorCode is SqliteConstraintPrimaryKey or SqliteConstraintUnique
        || Find<PostgresException>(exception) is { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// The write lost to another writer and can simply be tried again: SQLite's write lock stayed taken past busy_timeout
    /// (or a WAL snapshot went stale); PostgreSQL chose this transaction as a deadlock victim or could not serialize it.
    /// </summary>
    public static bool IsBusy(Exception exception) =>
        Find<SqliteException>(exception) is { SqliteErrorCode: SqliteBusy or SqliteLocked }
        || Find<PostgresException>(exception) is { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    /// <summary>
    /// The database could not be reached or went away mid-command (a PostgreSQL server restarting, failing over, or
    /// refusing connections): worth waiting for, unlike a fault of the message or of the code.
    /// </summary>
    public static bool IsUnreachable(Exception exception) => Find<NpgsqlException>(exception) is { IsTransient: true };

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }
}
