using MicroComms.Testing;

namespace MicroComms.Tests;

/// <summary>
/// The base of a spec class that runs on both stores: the facts live in an abstract class deriving from this one, and
/// two small classes run them, <c>…_on_Sqlite</c> and <c>…_on_Postgres</c> (one server per class, see
/// <see cref="PostgresFixture"/>). Every test gets a database of its own.
/// </summary>
public abstract class StoreSpecs(TestStore store) : IAsyncLifetime
{
    protected TestStore Store { get; } = store;

    /// <summary>This test's database, new and empty.</summary>
    protected TestDatabase Database { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Database = await Store.NewDatabaseAsync();

    public virtual Task DisposeAsync() => Store.DeleteAsync(Database);
}
