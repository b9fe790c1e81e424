using System.Collections.Concurrent;
using MicroComms.Messaging.Stores;
using Npgsql;

namespace MicroComms.Testing;

/// <summary>
/// A <see cref="PostgresServer"/> started on first use and a new database on it for every <see cref="NewDatabaseAsync"/>:
/// one server per test class (starting one costs about a second), one database per test (creating one costs tens of
/// milliseconds). A private server goes with its databases at <see cref="DisposeAsync"/>; on the server
/// <c>MICROCOMMS_POSTGRES</c> names, the databases are dropped one by one.
/// </summary>
public sealed class PostgresTestStore : TestStore, IAsyncDisposable
{
    private readonly Lazy<Task<PostgresServer>> _server = new(PostgresServer.StartAsync);
    private readonly ConcurrentBag<string> _databases = [];

    public override StoreKind Kind => StoreKind.Postgres;

    public override async Task<TestDatabase> NewDatabaseAsync()
    {
        var server = await _server.Value;
        var name = $"test_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE {name}");
        _databases.Add(name);
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString;
        return new TestDatabase(StoreKind.Postgres, connectionString);
    }

    /// <summary>Left to <see cref="DisposeAsync"/>: dropping a database fails while a stopped host's pooled connections are still open on it.</summary>
    public override Task DeleteAsync(TestDatabase database) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (!_server.IsValueCreated)
        {
            return;
        }

        await using var server = await _server.Value;
        if (!server.IsPrivate)
        {
            foreach (var name in _databases)
            {
                await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            }
        }
    }

    private static async Task ExecuteAsync(PostgresServer server, string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
