using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Messaging.Sqlite;

/// <summary>
/// Creates the schema (or brings an older file up to date, see <see cref="ISqliteSchemaUpgrade"/>) and turns on WAL
/// before any hosted service (the bus included) starts.
/// </summary>
internal sealed class SqliteDatabaseInitializer<TContext>(IServiceScopeFactory scopeFactory) : IHostedLifecycleService
    where TContext : DbContext
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);

        // Under the write lock: processes that start together on one file (the shared scheduler database, say) would
        // otherwise both find no tables and the second would fail start-up with "table already exists".
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.EnsureCreatedAsync(cancellationToken);
        if (db is ISqliteSchemaUpgrade upgrade)
        {
            await upgrade.UpgradeSchemaAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
