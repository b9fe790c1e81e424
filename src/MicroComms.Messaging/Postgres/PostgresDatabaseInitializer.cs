using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
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
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await StoreSchema.CheckReachableAsync(db, cancellationToken);
        if (!StoreSchema.HasMigrations(db))
        {
            await db.Database.EnsureCreatedAsync(cancellationToken);
        }
        else if (migrateAtStart)
        {
            await StoreSchema.MigrateAsync(db, cancellationToken);
        }
        else
        {
            await StoreSchema.RequireMigratedAsync(db, cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
