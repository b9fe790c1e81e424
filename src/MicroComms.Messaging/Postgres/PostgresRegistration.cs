using System.Data.Common;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MicroComms.Messaging.Postgres;

internal static class PostgresRegistration
{
    /// <summary>
    /// Connections a process keeps per database unless the connection string sets <c>Maximum Pool Size</c>. Npgsql's own
    /// default (100) is the server's whole default <c>max_connections</c>: one busy process with the outbox's 128
    /// concurrent consumers per endpoint took every connection and the next process was refused ("too many clients").
    /// With a bounded pool, consumers beyond it wait for a connection instead.
    /// </summary>
    public const int DefaultMaxPoolSize = 16;

    /// <summary>
    /// Registers a service's own PostgreSQL database: the connection string <c>ConnectionStrings:{name}</c> is required
    /// (there is no sensible local default for a server). Start-up checks that the database answers before the bus starts, then migrates it (when <c>MicroComms:MigrateAtStart</c> is
    /// true; off by default, a DBA runs <c>microcomms db migrate</c> or its script) or checks that it is migrated.
    /// </summary>
    public static IServiceCollection AddPostgresDbContext<TContext>(this IServiceCollection services, IConfiguration configuration, string name)
        where TContext : DbContext
    {
        var connectionString = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StoreNotUsableException(
                $"{StoreRegistration.StoreKey} is Postgres but ConnectionStrings:{name} is not set; give it a connection string such as "
                + $"'Host=127.0.0.1;Port=5432;Database=microcomms_{name.ToLowerInvariant()};Username=microcomms;Password=...'.");
        }

        // Pooled as on SQLite; Npgsql pools the connections underneath.
        services.AddDbContextPool<TContext>(o => Configure(o, connectionString));
        var migrateAtStart = StoreSchema.MigrateAtStart(configuration);
        services.AddHostedService(sp => new PostgresDatabaseInitializer<TContext>(sp.GetRequiredService<IServiceScopeFactory>(), migrateAtStart));
        return services;
    }

    /// <summary>The connection string with <see cref="DefaultMaxPoolSize"/> unless it names a pool size of its own.</summary>
    public static string WithPoolLimit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var named = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase)
                || k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase));
        if (!named)
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// PostgreSQL, with EF's per-statement error lines at Debug for the same reason as on SQLite (their callers log them),
    /// and its connection error line too: a server that is down, a wrong password or a missing database is reported once,
    /// as the one sentence of <see cref="StoreSchema.CheckReachableAsync"/> at start-up or the caller's log line later.
    /// </summary>
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(WithPoolLimit(connectionString))
            .ReplaceService<IMigrationsAssembly, StoreMigrationsAssembly>()
            .ConfigureWarnings(w => w.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
}
