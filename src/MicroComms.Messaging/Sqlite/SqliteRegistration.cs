using MicroComms.Messaging.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Sqlite;

internal static class SqliteRegistration
{
    /// <summary>
    /// Registers a service's own SQLite database: the connection string <c>ConnectionStrings:{name}</c>, or
    /// <c>data/{name}.db</c> when none is set; before the bus starts, WAL is switched on and the schema migrated
    /// (<c>MicroComms:MigrateAtStart</c>, on by default) or checked.
    /// </summary>
    public static IServiceCollection AddSqliteDbContext<TContext>(
        this IServiceCollection services,
        IConfiguration configuration,
        string name)
        where TContext : DbContext
    {
        var connectionString = configuration.GetConnectionString(name)
            ?? $"Data Source={Path.Combine("data", name.ToLowerInvariant() + ".db")}";
        EnsureDirectory(connectionString);

        // Pooled, so the options are built once and a context is reused rather than set up for every scope (an API
        // call, a consumed message): each step (singleton options, then the pool) gained outbox throughput (figures in the
        // benchmark README). Calls to ConfigureDbContext for these contexts pass ServiceLifetime.Singleton, as the pool's options are.
        services.AddDbContextPool<TContext>(o => Configure(o, connectionString));
        var migrateAtStart = StoreSchema.MigrateAtStart(configuration);
        services.AddHostedService(sp => new SqliteDatabaseInitializer<TContext>(sp.GetRequiredService<IServiceScopeFactory>(), migrateAtStart));
        return services;
    }

    /// <summary>
    /// SQLite with the per-connection settings. A failed statement's exception reaches its caller, which logs it with the message it was handling (MassTransit's
    /// retry and fault lines, the delivery service, the Gateway's problem details). EF's own Error line would double
    /// each one and make a lost saga or inbox race, which is expected and retried, read like a fault.
    /// </summary>
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString)
            .ReplaceService<IMigrationsAssembly, StoreMigrationsAssembly>()
            .AddInterceptors(SqliteConnectionPragmas.Instance)
            .ConfigureWarnings(w => w.Log((RelationalEventId.CommandError, LogLevel.Debug), (CoreEventId.SaveChangesFailed, LogLevel.Debug)));

    /// <summary>Creates the folder of a SQLite file, which SQLite itself does not (at start-up and before <c>db migrate</c>).</summary>
    public static void EnsureDirectory(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
