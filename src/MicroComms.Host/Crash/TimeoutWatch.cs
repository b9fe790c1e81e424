using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Serialization;
using MicroComms.Orders;
using MicroComms.Orders.Saga;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Host.Crash;

/// <summary>
/// The payment timeouts that came due while an instance was dead: while it is, the scheduler table is read every
/// quarter second for waiting PaymentTimedOut rows; afterwards, the rows due within a dead window are checked against
/// Orders' inbox (each consumed once) and the order (final; faulted by that timeout unless the payment beat it).
/// </summary>
internal sealed class TimeoutWatch(RunDatabases databases)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<Guid, ScheduledTimeout> _seen = new();
    private readonly ConcurrentQueue<(string Name, long From, long To)> _dead = new();

    public async Task WatchAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                foreach (var row in await ReadAsync(CancellationToken.None))
                {
                    _seen.TryAdd(row.MessageId, row);
                }

                await Task.Delay(Interval, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                // A busy or restarting database: read again next time.
            }
        }
    }

    public void Dead(string name, DateTimeOffset from, DateTimeOffset to) =>
        _dead.Enqueue((name, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds()));

    /// <summary>
    /// Each timeout due within a dead window: its order is final, Orders consumed it at most once (once when it fired,
    /// never when the payment came first and cancelled it), it no longer waits in the scheduler, and an order that
    /// timed out did so by this message.
    /// </summary>
    public async Task<(int Due, int Fired, IReadOnlyList<string> Errors)> CheckAsync(List<OrderState> sagas, CancellationToken ct)
    {
        var dead = _dead.ToList();
        var due = _seen.Values
            .Select(row => (Row: row, Window: dead.FirstOrDefault(d => row.DueAt >= d.From && row.DueAt <= d.To)))
            .Where(x => x.Window.Name is not null)
            .ToList();
        if (due.Count == 0)
        {
            return (0, 0, []);
        }

        Dictionary<Guid, int> consumed;
        await using (var orders = databases.Open<OutboxDbContext>(OrdersRegistration.DatabaseName, o => new OutboxDbContext(o)))
        {
            consumed = (await orders.Database.SqlQuery<Guid>($"""SELECT "MessageId" AS "Value" FROM "InboxState" """).ToListAsync(ct))
                .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        }

        var waiting = (await ReadAsync(ct)).Select(r => r.MessageId).ToHashSet();
        var byOrder = sagas.ToDictionary(s => s.CorrelationId);
        var errors = new List<string>();
        var fired = 0;
        foreach (var (row, window) in due)
        {
            var orderId = OrderIdOf(row);
            var saga = orderId is { } id ? byOrder.GetValueOrDefault(id) : null;
            var times = consumed.GetValueOrDefault(row.MessageId);
            var what = $"payment timeout {row.MessageId} of order {orderId} (due while {window.Name} was dead)";
            if (saga is null || !OrderStates.IsFinal(saga.CurrentState))
            {
                errors.Add($"{what}: the order is {saga?.CurrentState ?? "unknown"}");
            }

            if (times > 1)
            {
                errors.Add($"{what}: consumed {times} times");
            }

            if (waiting.Contains(row.MessageId))
            {
                errors.Add($"{what}: still waiting in the scheduler");
            }
            else if (times == 0 && IsTimedOut(saga))
            {
                errors.Add($"{what}: the order timed out, but not by this message");
            }

            fired += times > 0 ? 1 : 0;
        }

        return (due.Count, fired, errors);
    }

    public static bool IsTimedOut(OrderState? saga) =>
        saga is { CurrentState: OrderStates.Faulted } && saga.Reason?.StartsWith("Payment did not complete", StringComparison.Ordinal) == true;

    /// <summary>The order id in a stored PaymentTimedOut body (either envelope, read as JSON: <c>message.orderId</c>).</summary>
    private static Guid? OrderIdOf(ScheduledTimeout row)
    {
        using var json = JsonDocument.Parse(MessageBodyFormat.StoredBodyToIndentedJson(row.Body, row.ContentType));
        var root = json.RootElement;
        var message = root.TryGetProperty("message", out var inner) ? inner : root;
        return message.EnumerateObject().FirstOrDefault(p => p.NameEquals("orderId") || p.NameEquals("OrderId")).Value is { ValueKind: JsonValueKind.String } value
            && value.TryGetGuid(out var id)
                ? id
                : null;
    }

    private async Task<List<ScheduledTimeout>> ReadAsync(CancellationToken ct)
    {
        await using var db = databases.Open<SchedulerDbContext>(SchedulerOptions.ConnectionStringName, o => new SchedulerDbContext(o));
        return await db.Database.SqlQuery<ScheduledTimeout>($"""
            SELECT message_id AS "MessageId", due_at AS "DueAt", body AS "Body", content_type AS "ContentType" FROM scheduled_messages
            WHERE message_type LIKE '%PaymentTimedOut%'
            """).ToListAsync(ct);
    }
}
