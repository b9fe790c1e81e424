using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Inbox;

/// <summary>Deletes delivered inbox rows older than the duplicate-detection window, in short writes.</summary>
internal sealed class InboxCleanupService<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IOptionsMonitor<MicroCommsOutboxOptions> options,
    ILogger<InboxCleanupService<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private readonly MicroCommsOutboxOptions _options = options.Get(MicroCommsOutboxRegistration.OptionsName<TDbContext>());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.CleanupInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var deleted = await CleanupAsync(stoppingToken);
                    if (deleted > 0)
                    {
                        logger.LogDebug("Inbox of {DbContext}: {Count} rows past the duplicate-detection window deleted", typeof(TDbContext).Name, deleted);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Inbox cleanup of {DbContext} failed", typeof(TDbContext).Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task<int> CleanupAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var cutoff = DateTime.UtcNow - _options.DuplicateDetectionWindow;
        return await StoreWrite.RunAsync(db, _options.BusyRetryLimit, ct => db.Set<InboxState>()
            .Where(x => x.Delivered != null && x.Delivered < cutoff)
            .ExecuteDeleteAsync(ct), cancellationToken);
    }
}
