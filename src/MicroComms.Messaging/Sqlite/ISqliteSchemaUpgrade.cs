namespace MicroComms.Messaging.Sqlite;

/// <summary>
/// A DbContext whose tables gained columns after files were already written: <see cref="SqliteDatabaseInitializer{TContext}"/>
/// calls it after EnsureCreated, under the same write lock, so an older file is brought up to date before anything reads it.
/// </summary>
internal interface ISqliteSchemaUpgrade
{
    Task UpgradeSchemaAsync(CancellationToken cancellationToken);
}
