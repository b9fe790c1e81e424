using System.Diagnostics;
using MicroComms.Inventory;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Notifications;
using MicroComms.Orders;
using MicroComms.Orders.Saga;
using MicroComms.Payments;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Host.Crash;

/// <summary>Waiting for a crash run to settle, and the checks of what it left (from the databases and the queues).</summary>
internal static class CrashChecks
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Messages still in the run's queues (ready or being handled), by queue; empty queues are left out.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> QueuedAsync(RunBroker broker, string vhost, CancellationToken ct) =>
        (await broker.QueueDepthsAsync(vhost, ct)).Where(q => q.Value > 0).ToDictionary();

    /// <summary>
    /// Waits until every accepted order is final, every outbox is empty, the last effect of each order (its
    /// notification, consumed after the outboxes emptied) is written and no message waits in a queue (a late charge of
    /// an order that already timed out, say), or the timeout passes.
    /// </summary>
    public static async Task<bool> SettleAsync(
        List<CrashOrder> orders, RunDatabases databases, Func<Task<IReadOnlyDictionary<string, int>>> queued, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            await ReadFinalStatesAsync(orders, databases, ct);
            if (orders.All(o => !o.Accepted || o.FinalState is not null)
                && (await CountOutboxAsync(databases, setAside: false, ct)).Values.All(n => n == 0)
                && await AllNotifiedAsync(orders, databases, ct)
                && (await queued()).Count == 0)
            {
                return true;
            }

            await Task.Delay(PollInterval, ct);
        }

        return false;
    }

    private static async Task<bool> AllNotifiedAsync(List<CrashOrder> orders, RunDatabases databases, CancellationToken ct)
    {
        await using var db = databases.Open<NotificationsDbContext>(NotificationsRegistration.DatabaseName, o => new NotificationsDbContext(o));
        var notified = (await db.Notifications.AsNoTracking().Select(n => n.OrderId).ToListAsync(ct)).ToHashSet();
        return orders.Where(o => o.FinalState is OrderStates.Completed or OrderStates.Faulted).All(o => notified.Contains(o.Id));
    }

    private static async Task ReadFinalStatesAsync(List<CrashOrder> orders, RunDatabases databases, CancellationToken ct)
    {
        await using var db = databases.Open<OrdersDbContext>(OrdersRegistration.DatabaseName, o => new OrdersDbContext(o));
        var states = await db.OrderSagas.AsNoTracking().ToDictionaryAsync(s => s.CorrelationId, s => s.CurrentState, ct);
        foreach (var order in orders)
        {
            order.FinalState = states.TryGetValue(order.Id, out var state) && OrderStates.IsFinal(state) ? state : null;
        }
    }

    public static async Task<Dictionary<string, int>> CountOutboxAsync(RunDatabases databases, bool setAside, CancellationToken ct)
    {
        var counts = new Dictionary<string, int>();
        foreach (var name in ServiceDatabases.Names)
        {
            await using var db = databases.Open<OutboxDbContext>(name, o => new OutboxDbContext(o));
            var summary = await new OutboxMaintenance(db).SummarizeAsync(ct);
            counts[name.ToLowerInvariant()] = setAside ? summary.SetAside : summary.Pending;
        }

        return counts;
    }

    public static async Task<CrashReport> CheckAsync(
        List<CrashOrder> orders,
        RunDatabases databases,
        Placing placing,
        TimeoutWatch watch,
        IReadOnlyList<string> events,
        string data,
        CrashRunOptions options,
        TimeSpan settleTime,
        CancellationToken ct)
    {
        await ReadFinalStatesAsync(orders, databases, ct);
        await using var ordersDb = databases.Open<OrdersDbContext>(OrdersRegistration.DatabaseName, o => new OrdersDbContext(o));
        var sagas = await ordersDb.OrderSagas.AsNoTracking().ToListAsync(ct);
        var completed = sagas.Where(s => s.CurrentState == OrderStates.Completed).ToDictionary(s => s.CorrelationId, s => s.Total);
        var faulted = sagas.Where(s => s.CurrentState != OrderStates.Completed && OrderStates.IsFinal(s.CurrentState)).Select(s => s.CorrelationId).ToHashSet();
        var completedIds = completed.Keys.ToList();
        var bought = (await ordersDb.Orders.AsNoTracking().Where(o => completedIds.Contains(o.Id)).SelectMany(o => o.Items).ToListAsync(ct))
            .GroupBy(i => i.Sku).ToDictionary(g => g.Key, g => g.Sum(i => i.Quantity));

        var stockErrors = new List<string>();
        await using (var inventory = databases.Open<InventoryDbContext>(InventoryRegistration.DatabaseName, o => new InventoryDbContext(o)))
        {
            foreach (var item in await inventory.Stock.AsNoTracking().ToListAsync(ct))
            {
                var seeded = InventoryDbContext.SeedCatalogue.Single(s => s.Sku == item.Sku).Available;
                var held = bought.GetValueOrDefault(item.Sku);
                if (item.Reserved != held || item.Available + item.Reserved != seeded)
                {
                    stockErrors.Add($"{item.Sku}: available {item.Available}, reserved {item.Reserved}; completed orders hold {held} of {seeded}");
                }
            }
        }

        var chargeErrors = new List<string>();
        int refunded;
        await using (var payments = databases.Open<PaymentsDbContext>(PaymentsRegistration.DatabaseName, o => new PaymentsDbContext(o)))
        {
            var charges = await payments.Charges.AsNoTracking().ToListAsync(ct);
            refunded = charges.Count(c => c.RefundedAt is not null);
            var kept = charges.Where(c => c.Approved && c.RefundedAt == null).ToList();
            chargeErrors.AddRange(kept.Where(c => !completed.TryGetValue(c.OrderId, out var total) || total != c.Amount)
                .Select(c => $"order {c.OrderId} keeps a charge of {c.Amount} but is {sagas.SingleOrDefault(s => s.CorrelationId == c.OrderId)?.CurrentState ?? "unknown"}"));
            chargeErrors.AddRange(completed.Keys.Except(kept.Select(c => c.OrderId)).Select(id => $"completed order {id} has no charge"));
        }

        var notificationErrors = new List<string>();
        await using (var notifications = databases.Open<NotificationsDbContext>(NotificationsRegistration.DatabaseName, o => new NotificationsDbContext(o)))
        {
            var sent = await notifications.Notifications.AsNoTracking().ToListAsync(ct);
            notificationErrors.AddRange(sent.GroupBy(n => n.OrderId).Where(g => g.Count() > 1).Select(g => $"order {g.Key} notified {g.Count()} times"));
            notificationErrors.AddRange(completed.Keys.Concat(faulted.Where(id => sagas.Single(s => s.CorrelationId == id).CurrentState == OrderStates.Faulted))
                .Except(sent.Select(n => n.OrderId)).Select(id => $"order {id} ended without a notification"));
        }

        var timedOut = sagas.Count(TimeoutWatch.IsTimedOut);
        var timeouts = await watch.CheckAsync(sagas, ct);

        var accepted = orders.Where(o => o.Accepted).ToList();
        return new CrashReport(
            orders.Count,
            accepted.Count,
            orders.Count(o => o.Status is 0 or >= 500),
            accepted.Count(o => o.FinalState == OrderStates.Completed),
            accepted.Count(o => o.FinalState is not null && o.FinalState != OrderStates.Completed),
            accepted.Where(o => o.FinalState is null).Select(o => o.Id).ToList(),
            await CountOutboxAsync(databases, setAside: false, ct),
            await CountOutboxAsync(databases, setAside: true, ct),
            stockErrors,
            chargeErrors,
            notificationErrors,
            placing.SlowestAnswer,
            placing.AnswersOverBound,
            events,
            data)
        {
            Store = options.Store,
            Instances = options.Instances,
            PlacingTime = placing.PlacingTime,
            SettleTime = settleTime,
            MedianAnswer = placing.MedianAnswer,
            TimedOut = timedOut,
            Refunded = refunded,
            TimeoutsDueWhileDead = timeouts.Due,
            TimeoutsConsumed = timeouts.Fired,
            TimeoutErrors = timeouts.Errors,
            TransitionErrors = [.. sagas.Where(s => OrderStates.IsFinal(s.CurrentState)).Select(TransitionError).OfType<string>()],
        };
    }

    private static string? TransitionError(OrderState saga) =>
        saga.Transitions.Count == 0 || saga.Transitions[^1].State != saga.CurrentState
            ? $"order {saga.CorrelationId} is {saga.CurrentState} but its recorded changes end in {(saga.Transitions.Count == 0 ? "nothing" : saga.Transitions[^1].State)}"
            : saga.Transitions.GroupBy(t => t.State).FirstOrDefault(g => g.Count() > 1) is { } twice
                ? $"order {saga.CorrelationId} recorded {twice.Key} {twice.Count()} times"
                : null;

    /// <summary>
    /// From the kill of a node (or the start of the killed majority): until the first order completed after it (the
    /// cluster working again: the issue's measure), and until the first order placed after it completed (which also
    /// waits for the orders queued before it); nulls when there was no such fault or no order completed after it.
    /// </summary>
    public static async Task<(TimeSpan? FirstCompleted, TimeSpan? FirstNewOrderCompleted)> RecoveryAsync(
        BrokerFaultTimes times, RunDatabases databases, CancellationToken ct)
    {
        if (times.RecoveryFrom is not { } from)
        {
            return (null, null);
        }

        await using var db = databases.Open<OrdersDbContext>(OrdersRegistration.DatabaseName, o => new OrdersDbContext(o));
        var completed = (await db.OrderSagas.AsNoTracking().Where(s => s.CurrentState == OrderStates.Completed).ToListAsync(ct))
            .Where(s => s.FinishedAt > from)
            .ToList();
        TimeSpan? Since(IEnumerable<DateTimeOffset> finished) => finished.Any() ? finished.Min() - from : null;
        return (Since(completed.Select(s => s.FinishedAt!.Value)), Since(completed.Where(s => s.SubmittedAt >= from).Select(s => s.FinishedAt!.Value)));
    }

    /// <summary>What the Gateway answered while the broker fault lasted (a rolling restart; one node of three), by HTTP status (0: no answer).</summary>
    public static IReadOnlyDictionary<int, int> AnswersDuring(BrokerFaultTimes times, Placing placing) =>
        times.Window is { } window
            ? placing.History.Where(a => a.At >= window.From && a.At <= window.To).GroupBy(a => a.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count())
            : new Dictionary<int, int>();
}
