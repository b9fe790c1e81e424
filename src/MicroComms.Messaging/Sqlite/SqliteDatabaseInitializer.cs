using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Messaging.Sqlite;

/// <summary>
/// Before any hosted service (the bus included) starts: turns on WAL, then applies the context's pending migrations
/// (<paramref name="migrateAtStart"/>, <c>MicroComms:MigrateAtStart</c>, on by default for SQLite; a file written
/// before migrations is baselined first, see <see cref="StoreSchema.MigrateAsync"/>) or, when that is off, stops
/// start-up unless the file is migrated. A context without migrations (a test's own) is created from its model.
/// </summary>
internal sealed class SqliteDatabaseInitializer<TContext>(IServiceScopeFactory scopeFactory, bool migrateAtStart) : IHostedLifecycleService
    where TContext : DbContext
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
        await StoreSchema.BringUpToDateAsync(db, migrateAtStart, () => CreateFromModelAsync(db, cancellationToken), cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task CreateFromModelAsync(TContext db, CancellationToken cancellationToken)
    {
        // Under the write lock: processes that start together on one file would otherwise both find no tables and the
        // second would fail start-up with "table already exists".
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.EnsureCreatedAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
