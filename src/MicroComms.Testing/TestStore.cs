using MicroComms.Messaging.Stores;

namespace MicroComms.Testing;

/// <summary>
/// The store a spec runs on, handing each test fresh databases so tests stay independent: a SQLite file of its own, or a
/// database created on one PostgreSQL server per test class (<see cref="PostgresTestStore"/>).
/// </summary>
public abstract class TestStore
{
    /// <summary>SQLite files under this process's test folder; it holds no state, so every spec class can share it.</summary>
    public static readonly TestStore Sqlite = new SqliteTestStore();

    public abstract StoreKind Kind { get; }

    /// <summary>A database no other test uses, empty.</summary>
    public abstract Task<TestDatabase> NewDatabaseAsync();

    /// <summary>Deletes what <see cref="NewDatabaseAsync"/> made, once the test is done with it (its hosts stopped).</summary>
    public abstract Task DeleteAsync(TestDatabase database);

    public override string ToString() => Kind.ToString();
}
