using MassTransit;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Stores;
using MicroComms.Messaging.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// Sends scheduled messages when they fall due. Each pass claims a batch of due rows with a lease (one
/// UPDATE statement, so two processes on the same database never claim the same row), sends each row to
/// its destination, and deletes it only after the send completed (over RabbitMQ: after the broker's
/// publisher confirm). A crash after the send and before the delete sends the row again once the lease
/// runs out: delivery is at least once, and the inbox on the receiving side makes the effect single. A row that
/// cannot be sent through its own fault (a destination this bus cannot reach, say another transport's address in a
/// shared table; an envelope that no longer reads) is set aside after <see cref="SchedulerOptions.MaxDeliveryAttempts"/>
/// such failures, with the reason, for <see cref="ScheduledMessageMaintenance"/>; a broker outage never counts.
/// A row is sent as the outbox sends its messages (<see cref="StoredEnvelopeSender"/>); the claim loop is its own because
/// its unit is different: rows by due time in the one scheduler.db that every process on the machine shares, each row on
/// its own, where the outbox leases owners in one service's database and sends each owner's messages in order.
/// </summary>
internal sealed class ScheduledMessageDispatcher(
    IServiceScopeFactory scopeFactory,
    IBus bus,
    SchedulerSignal signal,
    TimeProvider time,
    IOptions<SchedulerOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ScheduledMessageDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan LockedRowsWait = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Sending needs a started bus: wait until every hosted service (the bus included) has started.
        if (!await WaitForStartAsync(stoppingToken))
        {
            return;
        }

        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var (sent, full) = await DispatchDueAsync(o, stoppingToken);
                wait = full ? TimeSpan.Zero : await TimeUntilNextDueAsync(o, stoppingToken);
                if (sent == 0 && wait == TimeSpan.Zero)
                {
                    // Due rows, none claimable: another instance holds them (PostgreSQL's row locks do not show in
                    // locked_until). Ask again shortly rather than at once.
                    wait = LockedRowsWait;
                }

                if (sent > 0)
                {
                    logger.LogDebug("Dispatched {Count} scheduled messages", sent);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Scheduled message dispatch failed; trying again in {Backoff}", o.ErrorBackoff);
                wait = o.ErrorBackoff;
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await signal.WaitAsync(wait, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        try
        {
            await started.Task.WaitAsync(stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<(int Sent, bool Full)> DispatchDueAsync(SchedulerOptions o, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var claim = Guid.NewGuid();
        var leaseEnd = now + (long)o.LeaseDuration.TotalMilliseconds;

        var claims = StoreClaims.Of(db);
        var claimed = await claims.ClaimScheduledAsync(db, claim, now, leaseEnd, o.BatchSize, cancellationToken);
        if (claimed == 0)
        {
            return (0, false);
        }

        var rows = await db.ScheduledMessages.AsNoTracking()
            .Where(x => x.LockToken == claim)
            .OrderBy(x => x.DueAt)
            .ToListAsync(cancellationToken);

        // Sends must finish inside the lease, or another process could claim and send the same rows. A
        // quarter of the lease is kept in reserve for the deletes; what does not fit is handed back.
        var sendUntil = DateTimeOffset.FromUnixTimeMilliseconds(leaseEnd) - o.LeaseDuration / 4;
        var sent = 0;
        foreach (var row in rows)
        {
            // Stopping mid-batch leaves the rest claimed; they go out when the lease ends.
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = sendUntil - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                var released = await db.ScheduledMessages
                    .Where(x => x.LockToken == claim)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.LockToken, (Guid?)null).SetProperty(x => x.LockedUntil, (long?)null), CancellationToken.None);
                logger.LogInformation("Scheduled dispatch ran out of lease time; {Count} rows handed back", released);
                break;
            }

            using var withinLease = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            withinLease.CancelAfter(remaining);
            if (await SendAsync(db, row, claim, o, withinLease.Token, cancellationToken))
            {
                sent++;
            }
        }

        // On PostgreSQL the sends' deletes commit here, with the claim; a crash before it sends the batch again (the
        // receivers' inboxes drop what was already sent).
        await claims.FinishAsync(db, CancellationToken.None);
        return (sent, claimed >= o.BatchSize);
    }

    private async Task<bool> SendAsync(
        SchedulerDbContext db,
        ScheduledMessageRow row,
        Guid claim,
        SchedulerOptions o,
        CancellationToken sendToken,
        CancellationToken cancellationToken)
    {
        try
        {
            await StoredEnvelopeSender.SendAsync(StoredMessageActivity.ScheduledSend, bus, row, destination => new ScheduledMessageSendPipe(row, destination), sendToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await RecordFailureAsync(db, row, claim, o, ex);
            return false;
        }

        // Not cancellable: the message is out, so the row must go, or it would be sent again.
        await db.ScheduledMessages
            .Where(x => x.TokenId == row.TokenId && x.LockToken == claim)
            .ExecuteDeleteAsync(CancellationToken.None);
        logger.LogDebug("Sent scheduled {MessageType} {MessageId} to {Destination}", row.MessageType, row.MessageId, row.DestinationAddress);
        return true;
    }

    /// <summary>
    /// Hands the row back for a retry after the back-off; a failure that is the row's own fault also counts as an attempt,
    /// and the last allowed one sets the row aside. One warning line per failure: a stack trace would repeat the same
    /// frames every back-off, so it goes to debug.
    /// </summary>
    private async Task RecordFailureAsync(SchedulerDbContext db, ScheduledMessageRow row, Guid claim, SchedulerOptions o, Exception ex)
    {
        var poison = PoisonOutboxMessageException.Find(ex);
        var reason = poison?.Message ?? $"{ex.GetBaseException().GetType().Name}: {ex.GetBaseException().Message}";
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var retryAt = now + (long)o.ErrorBackoff.TotalMilliseconds;
        var increment = poison is null ? 0 : 1;
        var setAside = row.DeliveryAttempts + increment >= o.MaxDeliveryAttempts;
        await db.ScheduledMessages
            .Where(x => x.TokenId == row.TokenId && x.LockToken == claim)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.LockToken, (Guid?)null)
                    .SetProperty(x => x.LockedUntil, retryAt)
                    .SetProperty(x => x.DeliveryAttempts, x => x.DeliveryAttempts + increment)
                    .SetProperty(x => x.FailureReason, reason)
                    .SetProperty(x => x.SetAsideAt, x => x.DeliveryAttempts + increment >= o.MaxDeliveryAttempts ? now : (long?)null),
                CancellationToken.None);

        logger.LogDebug(ex, "Sending scheduled {MessageType} {MessageId} to {Destination} failed", row.MessageType, row.MessageId, row.DestinationAddress);
        if (poison is null)
        {
            logger.LogWarning(
                "Sending scheduled {MessageType} {MessageId} to {Destination} failed ({Reason}); it stays stored and is tried again after {Backoff}",
                row.MessageType, row.MessageId, row.DestinationAddress, reason, o.ErrorBackoff);
        }
        else if (setAside)
        {
            logger.LogWarning(
                "Scheduled {MessageType} {MessageId} to {Destination} set aside after {Attempts} failed attempts ({Reason}); 'microcomms scheduler list' shows it",
                row.MessageType, row.MessageId, row.DestinationAddress, row.DeliveryAttempts + increment, reason);
        }
        else
        {
            logger.LogWarning(
                "Scheduled {MessageType} {MessageId} to {Destination} cannot be sent ({Reason}), attempt {Attempt} of {MaxAttempts}; tried again after {Backoff}",
                row.MessageType, row.MessageId, row.DestinationAddress, reason, row.DeliveryAttempts + increment, o.MaxDeliveryAttempts, o.ErrorBackoff);
        }
    }

    private async Task<TimeSpan> TimeUntilNextDueAsync(SchedulerOptions o, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();

        // A row claimed by someone else is not ours before its lease ends, so it counts from then.
        var next = await db.ScheduledMessages
            .Where(x => x.SetAsideAt == null)
            .Select(x => (long?)(x.LockedUntil != null && x.LockedUntil > x.DueAt ? x.LockedUntil.Value : x.DueAt))
            .MinAsync(cancellationToken);
        if (next is null)
        {
            return o.PollInterval;
        }

        var until = TimeSpan.FromMilliseconds(next.Value - time.GetUtcNow().ToUnixTimeMilliseconds());
        return until <= TimeSpan.Zero ? TimeSpan.Zero : until < o.PollInterval ? until : o.PollInterval;
    }
}
