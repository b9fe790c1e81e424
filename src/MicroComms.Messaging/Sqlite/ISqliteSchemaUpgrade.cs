namespace MicroComms.Messaging.Sqlite;

/// <summary>
/// A DbContext whose tables gained columns while files were written by EnsureCreated, before migrations: when such a
/// file (tables, no migration history) is first migrated, <see cref="Stores.StoreSchema.MigrateAsync"/> calls it under
/// the write lock to bring the file to the first migration's shape, then records it as at that migration. Every later
/// schema change is a migration, so nothing is added here.
/// </summary>
internal interface ISqliteSchemaUpgrade
{
    Task UpgradeSchemaAsync(CancellationToken cancellationToken);
}
