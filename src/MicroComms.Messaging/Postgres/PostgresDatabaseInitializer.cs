using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace MicroComms.Messaging.Postgres;

/// <summary>
/// Before any hosted service (the bus included) starts: opens the database once, so a server that is down, a wrong
/// password or a missing database stops start-up with one sentence naming host, port and database, then brings the
/// schema up to date.
/// </summary>
internal sealed class PostgresDatabaseInitializer<TContext>(IServiceScopeFactory scopeFactory) : IHostedLifecycleService
    where TContext : DbContext
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await CheckReachableAsync(db, cancellationToken);

        // EnsureCreated creates nothing in a database that has any table at all, so in a database shared with another
        // context (a service's and its scheduler's) the second context found the first one's tables and got none of its own.
        if (!await db.Database.EnsureCreatedAsync(cancellationToken) && !await HasOwnTablesAsync(db, cancellationToken))
        {
            await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync(cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<bool> HasOwnTablesAsync(DbContext db, CancellationToken cancellationToken)
    {
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().ToArray();
        var found = await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_name = ANY({tables})
            """).SingleAsync(cancellationToken);
        return found > 0;
    }

    internal static async Task CheckReachableAsync(DbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.CloseConnectionAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            var target = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
            var reason = ex is PostgresException pg ? $"{pg.MessageText} ({pg.SqlState})" : ex.GetBaseException().Message;
            throw new StoreUnreachableException(
                $"PostgreSQL for {typeof(TContext).Name} is not usable at {target.Host}:{target.Port} "
                + $"(database '{target.Database}', user '{target.Username}'): {reason}.",
                ex);
        }
    }
}
