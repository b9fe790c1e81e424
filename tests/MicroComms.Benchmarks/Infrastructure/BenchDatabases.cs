using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using Npgsql;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>
/// The store settings of a scenario on PostgreSQL: a private server (or <c>MICROCOMMS_POSTGRES</c>'s) with a fresh
/// database for each connection-string name, the schema created at start-up.
/// </summary>
public sealed class BenchDatabases : IAsyncDisposable
{
    private readonly PostgresServer _server;

    private BenchDatabases(PostgresServer server, Dictionary<string, string?> settings)
    {
        _server = server;
        Settings = settings;
    }

    /// <summary><c>MicroComms:Store</c> and one <c>ConnectionStrings:&lt;name&gt;</c> per database.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public static async Task<BenchDatabases> CreateAsync(string scenario, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var server = await PostgresServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            [StoreRegistration.StoreKey] = nameof(StoreKind.Postgres),
            ["MicroComms:MigrateAtStart"] = "true",
        };
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var name in names)
        {
            // Unique per run, so a shared MICROCOMMS_POSTGRES server is never asked for a database twice.
            var database = $"bench_{scenario.Replace('-', '_')}_{name.ToLowerInvariant()}_{Guid.NewGuid().ToString("N")[..8]}";
            await using (var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            settings[$"ConnectionStrings:{name}"] = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ToString();
        }

        return new BenchDatabases(server, settings);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
