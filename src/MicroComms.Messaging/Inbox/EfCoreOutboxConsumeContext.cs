using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Inbox;

/// <summary>
/// The consume context MassTransit's <c>OutboxMessagePipe</c> drives: consumer → <see cref="SetConsumed"/> (the one
/// commit) → delivery of the stored messages → <see cref="SetDelivered"/>.
/// </summary>
internal sealed class EfCoreOutboxConsumeContext<TDbContext, TMessage> : OutboxConsumeContextProxy<TMessage>
    where TDbContext : DbContext
    where TMessage : class
{
    private readonly TDbContext _db;
    private readonly InboxDeliveredMarks<TDbContext> _marks;
    private readonly CrashPoint _crashPoint;
    private readonly MicroCommsOutboxOptions _options;
    private readonly State _state;

    public EfCoreOutboxConsumeContext(
        ConsumeContext<TMessage> context,
        OutboxConsumeOptions consumeOptions,
        IServiceProvider provider,
        TDbContext db,
        MicroCommsOutboxOptions options,
        InboxDeliveredMarks<TDbContext> marks,
        CrashPoint crashPoint,
        State state)
        : base(context, consumeOptions, provider)
    {
        _db = db;
        _marks = marks;
        _crashPoint = crashPoint;
        _options = options;
        _state = state;
    }

    public override Guid? MessageId => _state.Inbox.MessageId;

    public override bool ContinueProcessing { get; set; } = true;

    public override bool IsMessageConsumed => _state.Inbox.Consumed.HasValue;

    public override bool IsOutboxDelivered => _state.Inbox.Delivered.HasValue;

    public override int ReceiveCount => _state.Inbox.ReceiveCount;

    public override long? LastSequenceNumber => _state.Inbox.LastSequenceNumber;

    /// <summary>The single commit: the consumer's deferred changes, the inbox row and the outgoing messages.</summary>
    public override async Task SetConsumed()
    {
        DeferredSaveChangesInterceptor.Release(_db);
        var inbox = _state.Inbox;
        var now = DateTime.UtcNow;
        var hasOutgoing = _state.Added.Count > 0;
        inbox.Consumed = now;
        inbox.LockId = _state.LockId;
        inbox.LockedUntil = hasOutgoing ? now + _options.LeaseDuration : null;

        // With nothing to send, the message is complete in the same commit: one write per message.
        inbox.Delivered = hasOutgoing ? null : now;
        if (inbox.Id == 0)
        {
            _db.Add(inbox);
        }
        else
        {
            _db.Update(inbox);
        }

        try
        {
            // Joins the group commit (SqliteGroupCommit), which accepts the changes once they are committed.
            await _db.SaveChangesAsync(CancellationToken);
            _state.AddedCommitted = true;
            _crashPoint.AfterCommit(typeof(TMessage).Name, inbox.MessageId);
        }
        catch (DbUpdateException ex) when (inbox.Id == 0 && StoreErrors.IsDuplicateKey(ex))
        {
            _db.ChangeTracker.Clear();
            var winner = await _db.Set<InboxState>().AsNoTracking()
                .SingleOrDefaultAsync(x => x.MessageId == inbox.MessageId && x.ConsumerId == inbox.ConsumerId, CancellationToken);
            if (winner is null)
            {
                // Not the inbox row: the consumer's own changes collided (a saga instance that another message created
                // first, say). Nothing was written; the endpoint's retry decides (UseSagaConcurrencyRetry takes a saga's).
                throw;
            }

            // The same message was consumed concurrently by another processor and committed first: ours is discarded
            // and the next pass of the pipe sees the other's inbox row (deliver what it stored, or acknowledge).
            _state.Inbox = winner;
            _state.DiscardedConcurrentDuplicate = true;
        }
    }

    /// <summary>
    /// All outgoing messages are on the broker: the mark that drops them and sets the inbox row delivered is queued
    /// (<see cref="InboxDeliveredMarks{TDbContext}"/>), and the message is acknowledged without waiting for it.
    /// </summary>
    public override Task SetDelivered()
    {
        _marks.Add(_state.Inbox);
        _state.Inbox.Delivered = DateTime.UtcNow;
        _state.MessagesRemoved = true;
        return Task.CompletedTask;
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
        var inbox = _state.Inbox;
        var last = inbox.LastSequenceNumber ?? 0;

        // Just committed by this consumer: the rows are the ones it added, with the sequence numbers the commit gave them.
        var rows = _state.AddedCommitted && last == 0
            ? _state.Added.OrderBy(x => x.SequenceNumber).Take(_options.MessageDeliveryLimit + 1).ToList()
            : await _db.Set<OutboxMessage>().AsNoTracking()
                .Where(x => x.InboxMessageId == inbox.MessageId && x.InboxConsumerId == inbox.ConsumerId && x.SequenceNumber > last)
                .OrderBy(x => x.SequenceNumber)
                .Take(_options.MessageDeliveryLimit + 1)
                .ToListAsync(CancellationToken);
        foreach (var row in rows)
        {
            row.Deserialize(SerializerContext);
        }

        return rows.Cast<OutboxMessageContext>().ToList();
    }

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message)
    {
        _state.Inbox.LastSequenceNumber = message.SequenceNumber;
        return Task.CompletedTask;
    }

    public override async Task RemoveOutboxMessages()
    {
        if (_state.MessagesRemoved)
        {
            return;
        }

        var inbox = _state.Inbox;
        await StoreWrite.RunAsync(_db, _options.BusyRetryLimit, ct => _db.Set<OutboxMessage>()
            .Where(x => x.InboxMessageId == inbox.MessageId && x.InboxConsumerId == inbox.ConsumerId)
            .ExecuteDeleteAsync(ct), CancellationToken);
        _state.MessagesRemoved = true;
    }

    public override Task AddSend<T>(SendContext<T> context)
    {
        var row = OutboxMessageFactory.Create(context, _state.Inbox.MessageId, ConsumerId);
        lock (_state)
        {
            _db.Add(row);
            _state.Added.Add(row);
        }

        return Task.CompletedTask;
    }

    /// <summary>Between passes of the pipe (more messages than one pass delivers): remember how far delivery got.</summary>
    internal async Task PersistProgressAsync()
    {
        var inbox = _state.Inbox;
        if (inbox.Id == 0 || inbox.Delivered is not null || inbox.LastSequenceNumber is not { } last)
        {
            return;
        }

        await StoreWrite.RunAsync(_db, _options.BusyRetryLimit, ct => _db.Set<InboxState>().Where(x => x.Id == inbox.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSequenceNumber, last), ct), CancellationToken);
    }

    /// <summary>What the passes over one consumed message share.</summary>
    internal sealed class State(InboxState inbox, Guid lockId)
    {
        public InboxState Inbox { get; set; } = inbox;

        public Guid LockId { get; } = lockId;

        public bool Continue { get; set; } = true;

        /// <summary>Outgoing messages the consumer added in this pass.</summary>
        public List<OutboxMessage> Added { get; } = [];

        /// <summary>True once <see cref="Added"/> is committed (false when another processor's inbox row won).</summary>
        public bool AddedCommitted { get; set; }

        public bool MessagesRemoved { get; set; }

        public bool DiscardedConcurrentDuplicate { get; set; }
    }
}
