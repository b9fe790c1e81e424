using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Messaging.Postgres;

/// <summary>
/// Before any hosted service (the bus included) starts: opens the database once, so a server that is down, a wrong
/// password or a missing database stops start-up with one sentence naming host, port and database; then applies the
/// pending migrations (<paramref name="migrateAtStart"/>, <c>MicroComms:MigrateAtStart</c>, off by default for
/// PostgreSQL) or stops start-up with one sentence unless the database is migrated. A context without migrations (a
/// test's own) is created from its model.
/// </summary>
internal sealed class PostgresDatabaseInitializer<TContext>(IServiceScopeFactory scopeFactory, bool migrateAtStart) : IHostedLifecycleService
    where TContext : DbContext
{
    /// <summary>The advisory lock key schema creation takes in its database (any fixed number MicroComms owns).</summary>
    private const long SchemaLockKey = 0x4D6963726F436F;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await StoreSchema.CheckReachableAsync(db, cancellationToken);
        await UnderSchemaLockAsync(
            db,
            () => StoreSchema.BringUpToDateAsync(db, migrateAtStart, () => CreateFromModelAsync(db, cancellationToken), cancellationToken),
            cancellationToken);
    }

    /// <summary>
    /// Under a session advisory lock: two instances starting at once on an empty database would otherwise both find no
    /// tables and both create them, and the second stopped with 42P07 "relation already exists".
    /// </summary>
    private static async Task UnderSchemaLockAsync(DbContext db, Func<Task> work, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({SchemaLockKey})", cancellationToken);
            try
            {
                await work();
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

    /// <summary>
    /// EnsureCreated creates nothing in a database that has any table at all, so in a database shared with another
    /// context the second context found the first one's tables and got none of its own.
    /// </summary>
    private static async Task CreateFromModelAsync(DbContext db, CancellationToken cancellationToken)
    {
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
}
