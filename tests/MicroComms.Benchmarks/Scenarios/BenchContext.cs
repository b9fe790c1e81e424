using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// The broker and settings a scenario runs with; virtual hosts and PostgreSQL databases it creates are deleted after it.
/// </summary>
public sealed class BenchContext(RabbitMqNode node, BenchSettings settings)
{
    private readonly List<string> _virtualHosts = [];
    private readonly List<string> _databases = [];
    private PostgresServer? _postgres;

    public RabbitMqNode Node { get; } = node;

    public BenchSettings Settings { get; } = settings;

    /// <summary>A fresh virtual host, so no scenario sees another's queues or leftovers.</summary>
    public async Task<string> CreateVirtualHostAsync(string scenario)
    {
        var vhost = await Node.CreateVirtualHostAsync("bench-" + scenario);
        _virtualHosts.Add(vhost);
        return vhost;
    }

    public ConnectionFactory ConnectionFactory(string virtualHost)
    {
        var factory = Node.ConnectionFactory(virtualHost);
        factory.AutomaticRecoveryEnabled = false;
        return factory;
    }

    public Uri AmqpUri(string virtualHost) => new(
        $"amqp://{Uri.EscapeDataString(Node.Username)}:{Uri.EscapeDataString(Node.Password)}@{Node.Host}:{Node.Port}/{Uri.EscapeDataString(virtualHost)}");

    public async Task DeleteVirtualHostsAsync()
    {
        foreach (var vhost in _virtualHosts)
        {
            await Node.DeleteVirtualHostAsync(vhost);
        }

        _virtualHosts.Clear();
    }

    /// <summary>
    /// A fresh database for <paramref name="scenario"/> on the benchmark's PostgreSQL, started on first use
    /// (<c>MICROCOMMS_POSTGRES</c>, or a private cluster on loopback: <see cref="PostgresServer"/>); its connection string.
    /// </summary>
    public async Task<string> CreatePostgresDatabaseAsync(string scenario, CancellationToken cancellationToken)
    {
        _postgres ??= await PostgresServer.StartAsync();
        var name = $"bench_{scenario.Replace('-', '_')}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var connection = new NpgsqlConnection(_postgres.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// The store settings of a scenario run on PostgreSQL: <c>MicroComms:Store</c>, migrated at start, and a fresh database
    /// (<see cref="CreatePostgresDatabaseAsync"/>) for each connection-string name in <paramref name="names"/>.
    /// </summary>
    public async Task<Dictionary<string, string?>> PostgresSettingsAsync(string scenario, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>
        {
            [StoreRegistration.StoreKey] = nameof(StoreKind.Postgres),
            [StoreSchema.MigrateAtStartKey] = "true",
        };
        foreach (var name in names)
        {
            settings[$"ConnectionStrings:{name}"] = await CreatePostgresDatabaseAsync($"{scenario}-{name.ToLowerInvariant()}", cancellationToken);
        }

        return settings;
    }

    /// <summary>Drops the scenarios' databases (their hosts are stopped by now) and stops a private cluster.</summary>
    public async Task DeleteDatabasesAsync()
    {
        if (_postgres is null)
        {
            return;
        }

        try
        {
            await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                // FORCE: a pool of Wolverine's own may still hold a connection.
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        finally
        {
            // Even when a drop failed: a private cluster must not outlive the run.
            _databases.Clear();
            await _postgres.DisposeAsync();
            _postgres = null;
        }
    }
}
