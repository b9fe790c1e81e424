using System.Globalization;
using System.Text;
using MicroComms.Messaging.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Inbox;

/// <summary>
/// Marks consumed messages delivered once all their outgoing messages are on the broker: drops those messages and
/// sets the inbox rows' <see cref="InboxState.Delivered"/>. The consumer does not wait for the mark: the marks that
/// arrive while one is queued go into the same group-commit write, as one statement pair.
/// </summary>
/// <remarks>
/// Nothing is lost when a mark is: its messages are already sent. Until it is written the inbox row stays leased, so
/// a duplicate of the message waits for the mark (or the lease) and then is acknowledged; if the process dies first,
/// a later duplicate sends the messages again and the receivers' inboxes drop them.
/// </remarks>
internal sealed class InboxDeliveredMarks<TDbContext>(SqliteGroupCommit<TDbContext> group, ILogger<InboxDeliveredMarks<TDbContext>> logger)
    where TDbContext : DbContext
{
    /// <summary>Marks per statement pair: two parameters each, well under SQLite's limit of bound parameters.</summary>
    private const int MarksPerStatement = 400;

    private readonly Lock _lock = new();
    private List<InboxState> _pending = [];
    private bool _queued;

    public void Add(InboxState inbox)
    {
        lock (_lock)
        {
            _pending.Add(inbox);
            if (_queued)
            {
                return;
            }

            _queued = true;
        }

        _ = QueueWriteAsync();
    }

    private async Task QueueWriteAsync()
    {
        try
        {
            await group.EnqueueAsync(WriteAsync);
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                _queued = false;
            }

            logger.LogWarning(ex, "Delivered marks of {DbContext} not written; those messages were sent, a duplicate of one would send them again",
                typeof(TDbContext).Name);
        }
    }

    private async Task WriteAsync(TDbContext db, CancellationToken cancellationToken)
    {
        List<InboxState> marks;
        lock (_lock)
        {
            marks = _pending;
            _pending = [];
            _queued = false;
        }

        var now = DateTime.UtcNow;
        foreach (var chunk in marks.Chunk(MarksPerStatement))
        {
            var sql = new StringBuilder("DELETE FROM \"OutboxMessage\" WHERE ");
            var parameters = new List<object> { now };
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? "" : " OR ").Append(CultureInfo.InvariantCulture, $"(\"InboxMessageId\" = {{{parameters.Count}}} AND \"InboxConsumerId\" = {{{parameters.Count + 1}}})");
                parameters.Add(chunk[i].MessageId);
                parameters.Add(chunk[i].ConsumerId);
            }

            sql.Append(";\nUPDATE \"InboxState\" SET \"Delivered\" = {0}, \"LockedUntil\" = NULL WHERE \"Id\" IN (")
                .AppendJoin(", ", chunk.Select(m => m.Id)).Append(");");
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
        }
    }
}
