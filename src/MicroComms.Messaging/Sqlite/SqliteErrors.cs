using Microsoft.Data.Sqlite;

namespace MicroComms.Messaging.Sqlite;

/// <summary>Classifies SQLite failures that mean "someone else got there first" rather than a real fault.</summary>
internal static class SqliteErrors
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>The row already exists: another message inserted the same saga instance or inbox row first.</summary>
    public static bool IsDuplicateKey(Exception exception) =>
        Find(exception) is { SqliteErrorCode: SqliteConstraint } e
        && e.SqliteExtendedErrorCode is SqliteConstraintPrimaryKey or SqliteConstraintUnique;

    /// <summary>The write lock stayed taken past busy_timeout, or a WAL snapshot went stale.</summary>
    public static bool IsBusy(Exception exception) =>
        Find(exception) is { SqliteErrorCode: SqliteBusy or SqliteLocked };

    private static SqliteException? Find(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is SqliteException sqlite)
            {
                return sqlite;
            }
        }

        return null;
    }
}
