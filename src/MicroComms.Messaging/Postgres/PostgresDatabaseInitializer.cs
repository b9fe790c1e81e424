using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
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
    /// <summary>The advisory lock key schema creation takes in its database (any fixed number MicroComms owns).</summary>
    private const long SchemaLockKey = 0x4D6963726F436F;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await CheckReachableAsync(db, cancellationToken);
        await CreateSchemaAsync(db, cancellationToken);
    }

    /// <summary>
    /// EnsureCreated under a session advisory lock: two instances starting at once on an empty database would otherwise
    /// both find no tables and both create them, and the second stopped with 42P07 "relation already exists".
    /// </summary>
    private static async Task CreateSchemaAsync(DbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({SchemaLockKey})", cancellationToken);
            try
            {
                await db.Database.EnsureCreatedAsync(cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({SchemaLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
