using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Wolverine;
using Wolverine.EntityFrameworkCore;
using Wolverine.Postgresql;
using Wolverine.Sqlite;

namespace MicroComms.Benchmarks.Scenarios.PeerOutbox;

/// <summary>Where the Wolverine peer keeps its order rows and its inbox and outbox: one database per scenario.</summary>
internal abstract class PeerOutboxStore : IAsyncDisposable
{
    /// <summary>The scenario's name suffix: <c>peer-outbox-sqlite</c>, <c>peer-outbox-postgres</c>.</summary>
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>Creates the database and its order table; Wolverine builds its own tables when the host starts.</summary>
    public abstract Task PrepareAsync(BenchContext context, string scenario, CancellationToken cancellationToken);

    /// <summary>Wolverine's message storage and the DbContext with Wolverine's envelope mapping, on this database.</summary>
    public abstract void Configure(WolverineOptions options);

    public abstract ValueTask DisposeAsync();

    /// <summary>A temporary file in WAL mode with MicroComms' outbox's connection settings, deleted afterwards.</summary>
    public sealed class Sqlite : PeerOutboxStore
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "microcomms-bench-peer-outbox-" + Guid.NewGuid().ToString("N")[..8]);
        private string _connectionString = "";

        public override string Name => "sqlite";

        public override string Description => "SQLite file (WAL, synchronous=NORMAL as MicroComms' outbox)";

        public override async Task PrepareAsync(BenchContext context, string scenario, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(_directory);
            _connectionString = $"Data Source={Path.Combine(_directory, "peer-outbox.db")}";
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();

            // WAL is a property of the file: set once, before the host opens it.
            command.CommandText = $"""
                PRAGMA journal_mode = WAL;
                CREATE TABLE {PeerOutboxDbContext.OrdersTable} (
                    id TEXT NOT NULL PRIMARY KEY, sku TEXT NOT NULL, quantity INTEGER NOT NULL, sequence INTEGER NOT NULL);
                """;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public override void Configure(WolverineOptions options)
        {
            options.PersistMessagesWithSqlite(SqliteStorePragmas.DataSource(_connectionString));
            // Wolverine maps its envelope tables into schema "main", which EF's SQLite provider ignores, with a warning.
            options.Services.AddDbContextWithWolverineIntegration<PeerOutboxDbContext>(o => o
                .UseSqlite(_connectionString)
                .AddInterceptors(SqliteStorePragmas.Interceptor)
                .ConfigureWarnings(w => w.Ignore(SqliteEventId.SchemaConfiguredWarning)));
        }

        public override ValueTask DisposeAsync()
        {
            // Pooled connections keep the database files open; release them so the folder can go.
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A fresh database on the benchmark's PostgreSQL (<see cref="BenchContext.CreatePostgresDatabaseAsync"/>), dropped afterwards.</summary>
    public sealed class Postgres : PeerOutboxStore
    {
        /// <summary>
        /// Under the private server's max_connections (100): with a pool each, EF Core (a connection per unit of work
        /// in flight, up to the window of 100) and Wolverine's own work opened more and failed with "too many clients".
        /// </summary>
        private const int MaxPoolSize = 90;

        private string _connectionString = "";
        private NpgsqlDataSource? _dataSource;

        public override string Name => "postgres";

        public override string Description => "PostgreSQL, a fresh database";

        public override async Task PrepareAsync(BenchContext context, string scenario, CancellationToken cancellationToken)
        {
            _connectionString = await context.CreatePostgresDatabaseAsync(scenario, cancellationToken);
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                $"CREATE TABLE {PeerOutboxDbContext.OrdersTable} (id uuid NOT NULL PRIMARY KEY, sku text NOT NULL, quantity integer NOT NULL, sequence bigint NOT NULL)",
                connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public override void Configure(WolverineOptions options)
        {
            // One pool for EF Core and Wolverine, as one service would have it.
            _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_connectionString) { MaxPoolSize = MaxPoolSize });
            options.PersistMessagesWithPostgresql(_dataSource, "wolverine");
            options.Services.AddDbContextWithWolverineIntegration<PeerOutboxDbContext>(o => o.UseNpgsql(_dataSource));
        }

        public override async ValueTask DisposeAsync()
        {
            // The database is dropped with the benchmark's others; idle pooled connections would hold it open.
            if (_dataSource is not null)
            {
                await _dataSource.DisposeAsync();
            }

            NpgsqlConnection.ClearAllPools();
        }
    }
}
