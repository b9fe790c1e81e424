using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MicroComms.Messaging.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// Sends committed outbox messages that no consumer is sending: bus-outbox owners, and the outgoing messages of
/// consumed messages whose processor died or gave up (<see cref="DeliverLapsedInboxPassAsync"/>). Owners committed in
/// this process are handed over in memory (<see cref="OutboxHandOff{TDbContext}"/>, already leased by their commit);
/// the rest (other processes', failed or stranded ones) are found by claim passes, which lease a batch of owners and read their messages. Either way every
/// owner's messages go out in sequence order while up to <see cref="MicroCommsOutboxOptions.MaxMessagesInFlight"/> sends
/// (of different owners) await their publisher confirms at once, and the result is recorded in one short write. Wakes
/// on a commit, polls otherwise, and backs off while the broker refuses everything (the rows stay until it is back).
/// </summary>
internal sealed class OutboxDeliveryService<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IBus bus,
    IBusOutboxNotification notification,
    OutboxHandOff<TDbContext> handOff,
    IOutboxLeaseStore leases,
    IOptionsMonitor<MicroCommsOutboxOptions> options,
    ILogger<OutboxDeliveryService<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private readonly MicroCommsOutboxOptions _options = options.Get(MicroCommsOutboxRegistration.OptionsName<TDbContext>());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Before the first await: once the host has started, every commit in this process is handed over.
        handOff.Open();
        try
        {
            await RecoverStrandedAsync(stoppingToken);
            await DeliverUntilStoppedAsync(stoppingToken);
        }
        finally
        {
            await GiveBackHandedOffAsync(handOff.Close());
        }
    }

    private async Task DeliverUntilStoppedAsync(CancellationToken stoppingToken)
    {
        var backoff = _options.MinBackoff;
        var lastClaimPass = Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            var result = new PassResult(0, 0);
            try
            {
                var handedOff = handOff.Take(_options.QueryMessageLimit);
                if (handedOff.Count > 0)
                {
                    result = await DeliverHandedOffAsync(handedOff, stoppingToken);
                }

                // Owners nobody handed over still need claim passes, also while hand-offs keep coming.
                if (handedOff.Count == 0 || Stopwatch.GetElapsedTime(lastClaimPass) >= _options.QueryDelay)
                {
                    lastClaimPass = Stopwatch.GetTimestamp();
                    var claimed = await DeliverPassAsync(stoppingToken);
                    var lapsed = await DeliverLapsedInboxPassAsync(stoppingToken);
                    result = new PassResult(result.Sent + claimed.Sent + lapsed.Sent, result.Failed + claimed.Failed + lapsed.Failed);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Outbox delivery pass for {DbContext} failed; retrying in {Backoff}", typeof(TDbContext).Name, backoff);
                result = new PassResult(0, 1);
            }

            try
            {
                if (result.Sent > 0)
                {
                    backoff = _options.MinBackoff;
                    continue;
                }

                if (result.Failed > 0)
                {
                    await Task.Delay(backoff, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                    continue;
                }

                await notification.WaitForDelivery(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One claim pass: lease, read, send, record. Public so tests and operators can drive delivery deterministically.</summary>
    public async Task<PassResult> DeliverPassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var lockId = NewId.NextGuid();
        var leasedUntil = DateTime.UtcNow + _options.LeaseDuration;
        var owners = await leases.ClaimAsync(db, lockId, _options.QueryMessageLimit, leasedUntil, cancellationToken);
        if (owners.Count == 0)
        {
            return new PassResult(0, 0);
        }

        return await DeliverAsync(leasedUntil, ct => db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.OutboxId != null && owners.Contains(m.OutboxId.Value) && m.SetAside == null)
            .OrderBy(m => m.SequenceNumber)
            .Take(_options.QueryMessageLimit * 10)
            .ToListAsync(ct), m => m.OutboxId, outcomes => leases.CompleteAsync(db, lockId, owners, outcomes, _options.MaxDeliveryAttempts, CancellationToken.None),
            cancellationToken);
    }

    /// <summary>
    /// One pass over consumed messages whose outgoing messages were committed but never confirmed sent, and whose lease
    /// lapsed: the consumer's process died, or gave up while the broker was away. The incoming message would send them
    /// when redelivered, but it may never be (it expired, or its sender is gone), so they are sent from here, in order.
    /// Public so tests can drive it deterministically.
    /// </summary>
    public async Task<PassResult> DeliverLapsedInboxPassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var lockId = NewId.NextGuid();
        var leasedUntil = DateTime.UtcNow + _options.LeaseDuration;
        var rows = await leases.ClaimLapsedInboxAsync(db, lockId, _options.QueryMessageLimit, leasedUntil, cancellationToken);
        if (rows.Count == 0)
        {
            return new PassResult(0, 0);
        }

        var messageIds = rows.Select(r => r.MessageId).ToList();
        var claimed = rows.Select(r => (r.MessageId, r.ConsumerId)).ToHashSet();
        logger.LogInformation("Outbox of {DbContext}: delivering the outgoing messages of {Count} consumed messages whose processor did not finish",
            typeof(TDbContext).Name, rows.Count);
        return await DeliverAsync(leasedUntil, async ct => (await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.InboxMessageId != null && messageIds.Contains(m.InboxMessageId.Value) && m.SetAside == null)
                .OrderBy(m => m.SequenceNumber)
                .ToListAsync(ct))
                .Where(m => claimed.Contains((m.InboxMessageId!.Value, m.InboxConsumerId!.Value)))
                .ToList(),
            m => (m.InboxMessageId, m.InboxConsumerId),
            outcomes => leases.CompleteInboxAsync(db, lockId, rows.Select(r => r.Id).ToList(), outcomes, _options.MaxDeliveryAttempts, CancellationToken.None),
            cancellationToken);
    }

    /// <summary>Owners committed in this process: already leased to the hand-off's lock, their messages in memory.</summary>
    private async Task<PassResult> DeliverHandedOffAsync(List<OutboxHandOff<TDbContext>.Owner> owners, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var messages = owners.SelectMany(o => o.Messages).OrderBy(m => m.SequenceNumber).ToList();
        var ownerIds = owners.ConvertAll(o => o.OutboxId);
        return await DeliverAsync(owners.Min(o => o.LeasedUntil), _ => Task.FromResult(messages), m => m.OutboxId,
            outcomes => leases.CompleteAsync(db, handOff.LockId, ownerIds, outcomes, _options.MaxDeliveryAttempts, CancellationToken.None),
            cancellationToken);
    }

    /// <summary>
    /// Sends the messages of each owner (<paramref name="ownerOf"/>) in sequence order, owners side by side, and records
    /// the outcomes through <paramref name="record"/>, also when the pass is cancelled.
    /// </summary>
    private async Task<PassResult> DeliverAsync(
        DateTime leasedUntil,
        Func<CancellationToken, Task<List<OutboxMessage>>> loadMessages,
        Func<OutboxMessage, object?> ownerOf,
        Func<List<DeliveryOutcome>, Task<int>> record,
        CancellationToken cancellationToken)
    {
        var outcomes = new ConcurrentBag<DeliveryOutcome>();
        try
        {
            var messages = await loadMessages(cancellationToken);

            // Stop starting sends early enough that the pass records them while its lease still holds.
            var sendDeadline = leasedUntil - _options.MessageDeliveryTimeout - (_options.LeaseDuration / 3);
            using var inFlight = new SemaphoreSlim(_options.MaxMessagesInFlight);
            await Task.WhenAll(messages.GroupBy(ownerOf)
                .Select(owner => SendInOrderAsync(owner, sendDeadline, inFlight, outcomes, cancellationToken)));
        }
        finally
        {
            // Always record what went out, even when the pass is cancelled: nothing sent is left to be sent twice.
            var list = outcomes.ToList();
            var anySent = list.Any(o => o.Sent);
            var recorded = list.Select(o => o.Sent || o.CountsAsAttempt || !anySent ? o : o with { CountsAsAttempt = true }).ToList();
            await record(recorded);
            foreach (var setAside in recorded.Where(o => !o.Sent && o.CountsAsAttempt))
            {
                logger.LogWarning("Outbox message {MessageId} (sequence {SequenceNumber}) failed to send: {Reason}", setAside.MessageId, setAside.SequenceNumber, setAside.Reason);
            }
        }

        var all = outcomes.ToList();
        return new PassResult(all.Count(o => o.Sent), all.Count(o => !o.Sent));
    }

    private async Task SendInOrderAsync(
        IEnumerable<OutboxMessage> messages,
        DateTime sendDeadline,
        SemaphoreSlim inFlight,
        ConcurrentBag<DeliveryOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            var now = DateTime.UtcNow;
            if (now > sendDeadline || message.EnqueueTime > now)
            {
                return;
            }

            if (message.ExpirationTime < now)
            {
                // Its sender said it is worthless after that time (a response whose requester gave up, say): the broker
                // would drop it, so it counts as done without a send.
                logger.LogWarning("Outbox message {MessageType} {MessageId} expired at {ExpirationTime} before it was sent; dropped",
                    message.MessageType, message.MessageId, message.ExpirationTime);
                outcomes.Add(new DeliveryOutcome(message.SequenceNumber, message.MessageId, Sent: true, CountsAsAttempt: false, Reason: "expired"));
                continue;
            }

            await inFlight.WaitAsync(cancellationToken);
            try
            {
                await SendAsync(message, cancellationToken);
                outcomes.Add(new DeliveryOutcome(message.SequenceNumber, message.MessageId, Sent: true, CountsAsAttempt: false, Reason: null));
            }
            catch (PoisonOutboxMessageException ex)
            {
                outcomes.Add(new DeliveryOutcome(message.SequenceNumber, message.MessageId, Sent: false, CountsAsAttempt: true, ex.Message));
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogDebug(ex, "Outbox send of {MessageType} {MessageId} failed", message.MessageType, message.MessageId);
                outcomes.Add(new DeliveryOutcome(message.SequenceNumber, message.MessageId, Sent: false, CountsAsAttempt: false, ex.GetBaseException().Message));
                return;
            }
            finally
            {
                inFlight.Release();
            }
        }
    }

    private async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.MessageDeliveryTimeout);
        await StoredEnvelopeSender.SendAsync(StoredMessageActivity.OutboxDeliver, bus, message, destination => new OutboxMessageSendPipe(message, destination), timeout.Token);
    }

    /// <summary>At stop: owners handed over but not delivered are released at once instead of when their leases lapse.</summary>
    private async Task GiveBackHandedOffAsync(List<OutboxHandOff<TDbContext>.Owner> waiting)
    {
        if (waiting.Count == 0)
        {
            return;
        }

        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var released = await leases.ReleaseAsync(
                scope.ServiceProvider.GetRequiredService<TDbContext>(), handOff.LockId, waiting.ConvertAll(o => o.OutboxId), CancellationToken.None);
            logger.LogInformation("Outbox of {DbContext}: {Count} committed owners left for the next delivery service", typeof(TDbContext).Name, released);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Outbox of {DbContext}: {Count} committed owners keep their leases until they lapse", typeof(TDbContext).Name, waiting.Count);
        }
    }

    private async Task RecoverStrandedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var recovered = await leases.RecoverStrandedAsync(scope.ServiceProvider.GetRequiredService<TDbContext>(), cancellationToken);
            if (recovered > 0)
            {
                logger.LogWarning("Outbox of {DbContext}: {Count} owners recreated for messages that had lost theirs", typeof(TDbContext).Name, recovered);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Outbox of {DbContext}: stranded-row check failed", typeof(TDbContext).Name);
        }
    }

    /// <summary>Messages confirmed by the broker and messages that failed in one pass.</summary>
    internal readonly record struct PassResult(int Sent, int Failed);
}
