using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MicroComms.Benchmarks.Scenarios.PeerOutbox;

/// <summary>
/// The per-connection SQLite settings MicroComms' outbox runs with (MicroComms.Messaging's SqliteConnectionPragmas:
/// busy_timeout, synchronous=NORMAL under WAL, temp_store=MEMORY), given to every connection of the Wolverine peer too,
/// its EF Core ones and Wolverine's own, so the rows compare outboxes and not SQLite durability settings: with
/// SQLite's default synchronous=FULL every commit would also wait for an fsync of the WAL.
/// </summary>
internal static class SqliteStorePragmas
{
    private const string Pragmas = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;";

    /// <summary>Native connections that have the settings already; pooled connections keep them.</summary>
    private static readonly ConditionalWeakTable<object, object> Configured = [];

    public static DbConnectionInterceptor Interceptor { get; } = new EfInterceptor();

    /// <summary>Wolverine's own connections (inbox, outgoing deletes, durability agent): it takes a DbDataSource.</summary>
    public static DbDataSource DataSource(string connectionString) => new PragmaDataSource(connectionString);

    private static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle } && !Configured.TryGetValue(handle, out _))
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
            Configured.AddOrUpdate(handle, handle);
        }
    }

    private sealed class EfInterceptor : DbConnectionInterceptor
    {
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }
    }

    private sealed class PragmaDataSource(string connectionString) : DbDataSource
    {
        public override string ConnectionString => connectionString;

        protected override DbConnection CreateDbConnection() => new PragmaConnection(connectionString);
    }

    /// <summary>DbConnection.OpenAsync, which SqliteConnection does not override, calls Open: one place for both.</summary>
    private sealed class PragmaConnection(string connectionString) : SqliteConnection(connectionString)
    {
        public override void Open()
        {
            base.Open();
            Apply(this);
        }
    }
}
