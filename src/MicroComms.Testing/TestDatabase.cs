using MicroComms.Messaging.Stores;

namespace MicroComms.Testing;

/// <summary>One fresh database of a test, on the store a spec runs on (<see cref="TestStore"/>).</summary>
public sealed record TestDatabase(StoreKind Store, string ConnectionString)
{
    /// <summary>The SQLite file at <paramref name="path"/>, for the specs of what only SQLite has.</summary>
    public static TestDatabase SqliteFile(string path) => new(StoreKind.Sqlite, $"Data Source={path}");

    /// <summary>
    /// Settings that put the databases <paramref name="names"/> (connection-string names) in this database, on its store,
    /// migrated at start as a fresh test database needs (PostgreSQL's default leaves that to <c>db migrate</c>).
    /// </summary>
    public Dictionary<string, string?> Settings(params string[] names)
    {
        var settings = new Dictionary<string, string?>
        {
            [StoreRegistration.StoreKey] = Store.ToString(),
            [StoreSchema.MigrateAtStartKey] = "true",
        };
        foreach (var name in names)
        {
            settings[$"ConnectionStrings:{name}"] = ConnectionString;
        }

        return settings;
    }
}
