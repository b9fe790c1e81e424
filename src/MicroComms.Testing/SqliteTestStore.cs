using MicroComms.Messaging.Stores;
using Microsoft.Data.Sqlite;

namespace MicroComms.Testing;

/// <summary>A fresh SQLite file per database, deleted with its WAL files after the test.</summary>
internal sealed class SqliteTestStore : TestStore
{
    public override StoreKind Kind => StoreKind.Sqlite;

    public override Task<TestDatabase> NewDatabaseAsync() =>
        Task.FromResult(new TestDatabase(StoreKind.Sqlite, $"Data Source={TestFiles.Path($"store-{Guid.NewGuid():N}.db")}"));

    public override Task DeleteAsync(TestDatabase database)
    {
        // Not SqliteConnection.ClearAllPools: it would close the pooled connections of every other test running meanwhile.
        // A file deleted while a pooled connection still has it open goes when that connection does.
        var path = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}
