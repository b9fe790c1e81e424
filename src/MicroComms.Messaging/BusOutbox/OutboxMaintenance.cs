using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// What an operator does with one database's outbox: count what waits, list the set-aside messages, put them back
/// in line (replay) or delete them (purge). Works on any DbContext whose model calls
/// <see cref="OutboxModelBuilderExtensions.AddMicroCommsOutbox"/>, while the service runs or not: every write is one
/// short transaction under SQLite's write lock, like the delivery service's own.
/// </summary>
public sealed class OutboxMaintenance(DbContext db, int busyRetryLimit = OutboxMaintenance.DefaultBusyRetryLimit)
{
    public const int DefaultBusyRetryLimit = 10;

    public async Task<OutboxSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        var messages = db.Set<OutboxMessage>().AsNoTracking();
        var pending = await messages.CountAsync(m => m.SetAside == null, cancellationToken);
        var setAside = await messages.CountAsync(m => m.SetAside != null, cancellationToken);
        var oldest = pending == 0 ? null : await messages.Where(m => m.SetAside == null)
            .Select(m => (DateTime?)m.SentTime)
            .MinAsync(cancellationToken);
        return new OutboxSummary(pending, setAside, oldest);
    }

    /// <summary>Set-aside messages in store order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<SetAsideMessage>> ListSetAsideAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.SetAside != null)
            .OrderBy(m => m.SequenceNumber)
            .Take(limit)
            .Select(m => new SetAsideMessage(
                m.SequenceNumber, m.MessageId, m.MessageType, m.DestinationAddress, m.DeliveryAttempts, m.FailureReason, m.SetAside!.Value))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The messages still in the outbox (waiting, set aside) that belong to <paramref name="correlationId"/> (their
    /// correlation id, or the id in their body), oldest first, each with the inbox row of the message that produced it:
    /// one workflow's messages out and in, as far as the tables still hold them (delivered rows are removed).
    /// </summary>
    public async Task<IReadOnlyList<CorrelatedMessage>> ListCorrelatedAsync(Guid correlationId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var text = correlationId.ToString();
        var rows = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.CorrelationId == correlationId || m.Body.Contains(text))
            .OrderBy(m => m.SequenceNumber)
            .Take(limit)
            .Select(m => new { m.MessageId, m.MessageType, m.DestinationAddress, m.SentTime, m.SetAside, m.DeliveryAttempts, m.FailureReason, m.InboxMessageId })
            .ToListAsync(cancellationToken);
        var inboundIds = rows.Where(r => r.InboxMessageId != null).Select(r => r.InboxMessageId!.Value).Distinct().ToList();
        var inbound = inboundIds.Count == 0
            ? []
            : await db.Set<Inbox.InboxState>().AsNoTracking()
                .Where(i => inboundIds.Contains(i.MessageId))
                .Select(i => new { i.MessageId, i.Received, i.Consumed })
                .ToListAsync(cancellationToken);
        return [.. rows.Select(r =>
        {
            var from = inbound.FirstOrDefault(i => i.MessageId == r.InboxMessageId);
            return new CorrelatedMessage(
                r.MessageId, r.MessageType, r.DestinationAddress, r.SentTime, r.SetAside, r.DeliveryAttempts, r.FailureReason,
                r.InboxMessageId, from?.Received, from?.Consumed);
        })];
    }

    /// <summary>
    /// Puts set-aside messages (all, or those with <paramref name="messageId"/>) back in line with their attempts reset,
    /// so the delivery service sends them again. They keep their sequence numbers, so each goes out in its original
    /// place among its owner's messages; an owner that was retired meanwhile is recreated with its original time.
    /// Returns how many messages were put back.
    /// </summary>
    public Task<int> ReplayAsync(Guid? messageId, CancellationToken cancellationToken) =>
        StoreWrite.RunAsync(db, busyRetryLimit, async ct =>
        {
            var replayed = SetAsideQuery(messageId);
            var owners = await replayed.Where(m => m.OutboxId != null)
                .GroupBy(m => m.OutboxId!.Value)
                .Select(g => new { OutboxId = g.Key, Created = g.Min(m => m.SentTime) })
                .ToListAsync(ct);
            var ownerIds = owners.Select(o => o.OutboxId).ToList();
            var existing = await db.Set<OutboxState>().AsNoTracking()
                .Where(s => ownerIds.Contains(s.OutboxId))
                .Select(s => s.OutboxId)
                .ToListAsync(ct);

            var count = await replayed.ExecuteUpdateAsync(
                u => u.SetProperty(m => m.SetAside, (DateTime?)null)
                    .SetProperty(m => m.DeliveryAttempts, 0)
                    .SetProperty(m => m.FailureReason, (string?)null),
                ct);

            // The delivery service retires an owner once only set-aside messages are left; without one nothing is sent.
            foreach (var owner in owners.Where(o => !existing.Contains(o.OutboxId)))
            {
                db.Add(new OutboxState { OutboxId = owner.OutboxId, Created = owner.Created });
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            return count;
        }, cancellationToken);

    /// <summary>Deletes set-aside messages (all, or those with <paramref name="messageId"/>) for good; pending ones are untouched.</summary>
    public Task<int> PurgeAsync(Guid? messageId, CancellationToken cancellationToken) =>
        StoreWrite.RunAsync(db, busyRetryLimit, ct => SetAsideQuery(messageId).ExecuteDeleteAsync(ct), cancellationToken);

    private IQueryable<OutboxMessage> SetAsideQuery(Guid? messageId) =>
        messageId is { } id
            ? db.Set<OutboxMessage>().Where(m => m.SetAside != null && m.MessageId == id)
            : db.Set<OutboxMessage>().Where(m => m.SetAside != null);
}
