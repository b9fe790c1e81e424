using System.Runtime.CompilerServices;
using MassTransit;
using MassTransit.Middleware;
using MicroComms.Messaging.Stores;
using MicroComms.Messaging.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Inbox;

/// <summary>
/// The consumer outbox and inbox on a service's DbContext, plugged into MassTransit's <c>OutboxConsumeFilter</c>.
/// Unlike a transaction held around the consumer, every write here is a short transaction of its own: the inbox
/// check is a plain read, the consumer's changes are deferred, and one transaction commits changes, inbox row and
/// outgoing messages together once the consumer has returned.
/// </summary>
internal sealed class EfCoreOutboxContextFactory<TDbContext>(
    TDbContext db,
    IServiceProvider provider,
    IOptionsMonitor<MicroCommsOutboxOptions> options,
    InboxDeliveredMarks<TDbContext> marks,
    MicroCommsMetrics metrics,
    ILogger<EfCoreOutboxContextFactory<TDbContext>> logger) : IOutboxContextFactory<TDbContext>
    where TDbContext : DbContext
{
    /// <summary>
    /// Compiled once per model (the inbox lookup runs for every consumed message): a compiled query only runs against the
    /// model it was compiled for, and the context has one model per store.
    /// </summary>
    private static readonly ConditionalWeakTable<IModel, Func<TDbContext, Guid, Guid, CancellationToken, Task<InboxState?>>> FindInbox = [];

    private readonly MicroCommsOutboxOptions _options = options.Get(MicroCommsOutboxRegistration.OptionsName<TDbContext>());
    private static readonly string Service = MicroCommsMetrics.ServiceOf(typeof(TDbContext));

    private readonly CrashPoint _crashPoint = provider.GetRequiredService<CrashPoint>();

    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        if (!DeferredSaveChangesInterceptor.IsInstalled(db))
        {
            throw new ConfigurationException(
                $"{typeof(TDbContext).Name} is used by the outbox but was not registered through x.AddMicroCommsOutbox<{typeof(TDbContext).Name}>().");
        }

        var messageId = context.GetOriginalMessageId()
            ?? throw new MessageException(typeof(T), "The inbox needs a message id.");
        var lockId = NewId.NextGuid();
        var ct = context.CancellationToken;

        var inbox = await LoadInboxAsync(messageId, options.ConsumerId, ct);
        if (inbox is null)
        {
            inbox = new InboxState { MessageId = messageId, ConsumerId = options.ConsumerId, Received = DateTime.UtcNow, ReceiveCount = 1 };
        }
        else if (inbox.Consumed is not null && inbox.Delivered is null)
        {
            // Consumed earlier but its outgoing messages may not all be out: only one processor may send them.
            inbox = await ClaimForDeliveryAsync(inbox, lockId, ct);
        }

        if (inbox.Consumed is not null)
        {
            metrics.InboxDuplicate(Service, options.ConsumerType);
        }

        if (inbox.Delivered is not null)
        {
            logger.LogDebug("Duplicate {MessageType} {MessageId} for consumer {ConsumerType}: already consumed, acknowledged",
                typeof(T).Name, messageId, options.ConsumerType);
        }

        var state = new EfCoreOutboxConsumeContext<TDbContext, T>.State(inbox, lockId);
        try
        {
            do
            {
                var outboxContext = new EfCoreOutboxConsumeContext<TDbContext, T>(context, options, provider, db, _options, marks, _crashPoint, state);
                if (!outboxContext.IsMessageConsumed)
                {
                    DeferredSaveChangesInterceptor.Defer(db);
                }

                await next.Send(outboxContext);
                state.Continue = outboxContext.ContinueProcessing;
                if (state.DiscardedConcurrentDuplicate)
                {
                    metrics.InboxDuplicate(Service, options.ConsumerType);
                    state.DiscardedConcurrentDuplicate = false;
                    if (state.Inbox.Delivered is null)
                    {
                        state.Inbox = await ClaimForDeliveryAsync(state.Inbox, lockId, ct);
                    }
                }

                if (state.Continue)
                {
                    await outboxContext.PersistProgressAsync();
                }
            }
            while (state.Continue);
        }
        catch (Exception) when (state.Inbox is { Id: not 0, Consumed: not null, Delivered: null })
        {
            // Committed but not (all) delivered, e.g. the broker went away: the redelivered message must not wait out our lease.
            await ReleaseDeliveryLeaseAsync(state.Inbox, lockId);
            throw;
        }
        finally
        {
            DeferredSaveChangesInterceptor.Release(db);
        }
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("outboxContextFactory");
        scope.Add("provider", "microcomms-sqlite");
    }

    private async Task ReleaseDeliveryLeaseAsync(InboxState inbox, Guid lockId)
    {
        var last = inbox.LastSequenceNumber;
        try
        {
            await StoreWrite.RunAsync(db, _options.BusyRetryLimit, c => db.Set<InboxState>()
                .Where(x => x.Id == inbox.Id && x.LockId == lockId && x.Delivered == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LockedUntil, (DateTime?)null)
                    .SetProperty(x => x.LastSequenceNumber, x => last ?? x.LastSequenceNumber), c), CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Inbox row for message {MessageId} keeps its delivery lease until it lapses", inbox.MessageId);
        }
    }

    private Task<InboxState?> LoadInboxAsync(Guid messageId, Guid consumerId, CancellationToken ct) =>
        FindInbox.GetValue(db.Model, _ => EF.CompileAsyncQuery((TDbContext db, Guid messageId, Guid consumerId, CancellationToken ct) =>
            db.Set<InboxState>().AsNoTracking().SingleOrDefault(x => x.MessageId == messageId && x.ConsumerId == consumerId)))(db, messageId, consumerId, ct);

    private async Task<InboxState> ClaimForDeliveryAsync(InboxState inbox, Guid lockId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + _options.LeaseDuration;
        while (true)
        {
            var now = DateTime.UtcNow;
            var until = now + _options.LeaseDuration;
            var claimed = await StoreWrite.RunAsync(db, _options.BusyRetryLimit, c => db.Set<InboxState>()
                .Where(x => x.Id == inbox.Id && x.Delivered == null && (x.LockedUntil == null || x.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LockId, lockId).SetProperty(x => x.LockedUntil, until)
                    .SetProperty(x => x.ReceiveCount, x => x.ReceiveCount + 1), c), ct);

            var current = await LoadInboxAsync(inbox.MessageId, inbox.ConsumerId, ct)
                ?? throw new InvalidOperationException($"Inbox row {inbox.Id} disappeared while being claimed.");
            if (claimed == 1 || current.Delivered is not null)
            {
                return current;
            }

            // Another processor is sending this message's outgoing messages; wait for it, or for its lease to lapse.
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Inbox row for message {inbox.MessageId} stayed leased by another processor.");
            }

            await Task.Delay(_options.QueryDelay < TimeSpan.FromMilliseconds(200) ? _options.QueryDelay : TimeSpan.FromMilliseconds(200), ct);
        }
    }
}
