using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// The broker and settings a scenario runs with; virtual hosts and PostgreSQL databases it creates are deleted after it.
/// <see cref="OnClusterAsync"/> gives the same context on the run's 3-node cluster, started on first use.
/// </summary>
public sealed class BenchContext
{
    private readonly Resources _resources;

    public BenchContext(RabbitMqNode node, BenchSettings settings)
        : this(node, settings, new Resources())
    {
    }

    private BenchContext(RabbitMqNode node, BenchSettings settings, Resources resources)
    {
        Node = node;
        Settings = settings;
        _resources = resources;
    }

    public RabbitMqNode Node { get; }

    public BenchSettings Settings { get; }

    /// <summary>
    /// This context on a private 3-node cluster (<see cref="RabbitMqNode.StartDefaultClusterAsync"/>), formed on first use and
    /// stopped with <see cref="StopClusterAsync"/> unless it was running already; its virtual hosts and databases are
    /// cleaned up with this context's.
    /// </summary>
    public async Task<BenchContext> OnClusterAsync()
    {
        if (_resources.Cluster is null)
        {
            // A cluster already running (the integration tests' cluster collection formed it) is used and left running.
            _resources.ClusterFoundRunning = await DefaultClusterAnswersAsync();
            _resources.Cluster = await RabbitMqNode.StartDefaultClusterAsync();
        }

        return new BenchContext(_resources.Cluster, Settings, _resources);
    }

    public async Task StopClusterAsync()
    {
        if (_resources.Cluster is { } cluster)
        {
            _resources.Cluster = null;
            if (!_resources.ClusterFoundRunning)
            {
                await cluster.StopAsync();
            }
        }
    }

    /// <summary>Whether every node of the default cluster accepts an AMQP connection.</summary>
    private static async Task<bool> DefaultClusterAnswersAsync()
    {
        foreach (var port in Enumerable.Range(RabbitMqNode.DefaultClusterFirstPort(), 3))
        {
            using var client = new System.Net.Sockets.TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A fresh virtual host, so no scenario sees another's queues or leftovers; with <paramref name="defaultQueueType"/>
    /// <c>quorum</c> a queue declared without arguments (a sender's <c>queue:</c> address) is a quorum queue too.
    /// </summary>
    public async Task<string> CreateVirtualHostAsync(string scenario, string? defaultQueueType = null)
    {
        var vhost = await Node.CreateVirtualHostAsync("bench-" + scenario, defaultQueueType);
        _resources.VirtualHosts.Add((Node, vhost));
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
        foreach (var (node, vhost) in _resources.VirtualHosts)
        {
            await node.DeleteVirtualHostAsync(vhost);
        }

        _resources.VirtualHosts.Clear();
    }

    /// <summary>
    /// A fresh database for <paramref name="scenario"/> on the benchmark's PostgreSQL, started on first use
    /// (<c>MICROCOMMS_POSTGRES</c>, or a private cluster on loopback: <see cref="PostgresServer"/>); its connection string.
    /// </summary>
    public async Task<string> CreatePostgresDatabaseAsync(string scenario, CancellationToken cancellationToken)
    {
        _resources.Postgres ??= await PostgresServer.StartAsync();
        var name = $"bench_{scenario.Replace('-', '_')}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var connection = new NpgsqlConnection(_resources.Postgres.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        _resources.Databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_resources.Postgres.ConnectionString) { Database = name }.ConnectionString;
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
        if (_resources.Postgres is null)
        {
            return;
        }

        try
        {
            await using var connection = new NpgsqlConnection(_resources.Postgres.ConnectionString);
            await connection.OpenAsync();
            foreach (var name in _resources.Databases)
            {
                // FORCE: a pool of Wolverine's own may still hold a connection.
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        finally
        {
            // Even when a drop failed: a private cluster must not outlive the run.
            _resources.Databases.Clear();
            await _resources.Postgres.DisposeAsync();
            _resources.Postgres = null;
        }
    }

    /// <summary>What a context and its cluster view share.</summary>
    private sealed class Resources
    {
        public List<(RabbitMqNode Node, string VirtualHost)> VirtualHosts { get; } = [];

        public List<string> Databases { get; } = [];

        public PostgresServer? Postgres { get; set; }

        public RabbitMqNode? Cluster { get; set; }

        public bool ClusterFoundRunning { get; set; }
    }
}
