using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Host.Crash;

/// <summary>Where each service's database is in this run, for the checks: a SQLite file per process, or a PostgreSQL database per service.</summary>
internal sealed class RunDatabases(StoreKind store, Dictionary<string, string> connectionStrings, List<string> postgresNames)
{
    /// <summary>By connection-string name (Orders, …, Scheduler).</summary>
    public Dictionary<string, string> ConnectionStrings { get; } = connectionStrings;

    public IReadOnlyList<string> PostgresNames { get; } = postgresNames;

    public static async Task<RunDatabases> CreateAsync(StoreKind store, string runId, string data, PostgresCluster? postgres, CancellationToken ct)
    {
        var names = ServiceDatabases.Names.Append(SchedulerOptions.ConnectionStringName).ToList();
        var connectionStrings = new Dictionary<string, string>();
        var created = new List<string>();
        foreach (var name in names)
        {
            if (postgres is null)
            {
                // Where a single process of the service keeps its file (--data <run>/<service>), and the shared scheduler.db.
                connectionStrings[name] = name == SchedulerOptions.ConnectionStringName
                    ? $"Data Source={Path.Combine(data, "scheduler.db")}"
                    : $"Data Source={Path.Combine(data, name.ToLowerInvariant(), name.ToLowerInvariant() + ".db")}";
            }
            else
            {
                var database = $"crash_{runId}_{name.ToLowerInvariant()}";
                connectionStrings[name] = await postgres.CreateDatabaseAsync(database, ct);
                created.Add(database);
            }
        }

        return new RunDatabases(store, connectionStrings, created);
    }

    /// <summary>A context on the database <paramref name="name"/> (read-only on SQLite).</summary>
    public T Open<T>(string name, Func<DbContextOptions<T>, T> create)
        where T : DbContext
    {
        if (store == StoreKind.Postgres)
        {
            return create(StoreRegistration.OptionsFor<T>(store, ConnectionStrings[name]));
        }

        var connection = new SqliteConnectionStringBuilder(ConnectionStrings[name]) { Mode = SqliteOpenMode.ReadOnly }.ToString();
        return create(new DbContextOptionsBuilder<T>().UseSqlite(connection).Options);
    }
}
