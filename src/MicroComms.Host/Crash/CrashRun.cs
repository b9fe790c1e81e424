using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using MicroComms.Gateway;
using MicroComms.Inventory;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Notifications;
using MicroComms.Orders;
using MicroComms.Payments;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Host.Crash;

/// <summary>
/// The crash test an operator would run: every service a process of its own over a private RabbitMQ node, orders
/// through <c>POST /orders</c> at a steady rate from several clients (each retrying with the same order id until it
/// gets an answer), kill -9 of Orders and of Inventory and a broker stop/start while they flow; then it waits for the
/// system to settle and checks from the databases that every accepted order ended, no outbox row is left, and stock,
/// charges and notifications each happened exactly once per order.
/// </summary>
public static class CrashRun
{
    private const string ServiceUser = "microcomms";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ClientRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    public static async Task<CrashReport> RunAsync(CrashRunOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        var random = new Random(options.Seed);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var data = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), $"microcomms-crash-{runId}");
        var events = new ConcurrentQueue<string>();
        void Event(string text)
        {
            events.Enqueue(text);
            log(text);
        }

        var scripts = options.RabbitMqDirectory ?? BrokerScripts.Find(Directory.GetCurrentDirectory()) ?? BrokerScripts.Find(AppContext.BaseDirectory)
            ?? throw new HostConfigurationException("No rabbitmq/ folder found above the working folder: run from the repository or name the folder.");
        var broker = new BrokerScripts(scripts, options.BrokerPort);
        await broker.StartAsync(cancellationToken);
        var vhost = $"crash-{runId}";
        await broker.CreateVirtualHostAsync(vhost, ServiceUser, cancellationToken);
        var environment = ServiceEnvironment(options, vhost, data);
        var processes = ServiceNames.All.ToDictionary(s => s, s => new ServiceProcess(s, Path.Combine(data, s), "http://127.0.0.1:0", environment));
        try
        {
            log($"Crash run {runId} (seed {options.Seed}): {options.Orders} orders at {options.Rate}/s from {options.Clients} clients; data in {data}");
            var crashPoint = options.CrashOrdersAfterCommit is { } n
                ? new Dictionary<string, string>
                {
                    ["MicroComms__CrashPoint__AfterCommitOf"] = "SubmitOrder",
                    ["MicroComms__CrashPoint__AfterCommitNumber"] = n.ToString(CultureInfo.InvariantCulture),
                }
                : null;
            await Task.WhenAll(processes.Values.Select(p => p.StartAsync(p.Service == ServiceNames.Orders ? crashPoint : null, cancellationToken)));
            using var http = new HttpClient
            {
                BaseAddress = processes[ServiceNames.Gateway].Address,
                Timeout = options.RequestTimeout + TimeSpan.FromSeconds(30),
            };

            var orders = CreateOrders(options.Orders, random);
            var placing = new Placing(orders.Count, options.RequestTimeout + new GatewayOptions().RequestTimeoutMargin);
            using var restarts = new SemaphoreSlim(1, 1);
            var chaos = ChaosAsync(options, random, processes, broker, placing, restarts, Event, cancellationToken);
            var selfCrash = crashPoint is null
                ? Task.CompletedTask
                : RestartAfterSelfCrashAsync(processes[ServiceNames.Orders], options.RestartDelay, restarts, Event, cancellationToken);
            await PlaceAsync(http, orders, options, placing, cancellationToken);
            log($"All {orders.Count} orders placed in {placing.Elapsed.TotalSeconds:F0} s; {orders.Count(o => o.Accepted)} accepted.");
            await chaos;
            if (selfCrash.IsCompleted || options.CrashOrdersAfterCommit > orders.Count)
            {
                await selfCrash;
            }
            else
            {
                Event("Orders' crash point never triggered");
            }

            var settled = await SettleAsync(orders, processes, options.SettleTimeout, cancellationToken);
            log(settled ? "Settled: every accepted order is final and every outbox is empty." : $"Not settled within {options.SettleTimeout}.");
            foreach (var process in processes.Values.Reverse())
            {
                await process.StopAsync(StopTimeout);
            }

            return await CheckAsync(orders, processes, placing, [.. events], data, cancellationToken);
        }
        finally
        {
            foreach (var process in processes.Values)
            {
                await process.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            await broker.DeleteVirtualHostAsync(vhost, CancellationToken.None);
            await broker.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>What every service process is started with, on top of its own <c>--services</c> and <c>--data</c>.</summary>
    private static Dictionary<string, string> ServiceEnvironment(CrashRunOptions options, string vhost, string data) => new()
    {
        ["MicroComms__RabbitMq__Host"] = "127.0.0.1",
        ["MicroComms__RabbitMq__Port"] = options.BrokerPort.ToString(CultureInfo.InvariantCulture),
        ["MicroComms__RabbitMq__VirtualHost"] = vhost,
        ["ConnectionStrings__Scheduler"] = $"Data Source={Path.Combine(data, "scheduler.db")}",
        ["MicroComms__Gateway__RequestTimeout"] = options.RequestTimeout.ToString("c", CultureInfo.InvariantCulture),
        ["MicroComms__Outbox__LeaseDuration"] = options.OutboxLease.ToString("c", CultureInfo.InvariantCulture),
        ["MicroComms__Outbox__MessageDeliveryTimeout"] = (options.OutboxLease / 3).ToString("c", CultureInfo.InvariantCulture),
        ["MicroComms__Retry__RedeliveryIntervals__0"] = "00:00:01",
        ["MicroComms__Retry__RedeliveryIntervals__1"] = "00:00:05",
        ["MicroComms__Retry__RedeliveryIntervals__2"] = "00:00:15",
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Microsoft"] = "Warning",
        ["Logging__LogLevel__MassTransit"] = "Warning",

        // Five web processes on one machine: the workstation GC, not a server GC heap per core in each.
        ["DOTNET_gcServer"] = "0",
    };

    private static List<CrashOrder> CreateOrders(int count, Random random)
    {
        var customers = OrdersDbContext.SeedCustomers.Select(c => c.Id).ToList();
        var skus = InventoryDbContext.SeedCatalogue.Select(s => s.Sku).ToList();
        return Enumerable.Range(0, count).Select(_ =>
        {
            var lines = skus.OrderBy(_ => random.Next()).Take(random.Next(1, 3))
                .Select(sku => (PlaceOrderLine?)new PlaceOrderLine(sku, random.Next(1, 4), random.Next(10, 100)))
                .ToList();
            return new CrashOrder(new PlaceOrderRequest(Guid.NewGuid(), customers[random.Next(customers.Count)], lines));
        }).ToList();
    }

    /// <summary>Each order at its moment of the schedule; a client asks again with the same order id until it gets an answer.</summary>
    private static Task PlaceAsync(HttpClient http, List<CrashOrder> orders, CrashRunOptions options, Placing placing, CancellationToken ct) =>
        Parallel.ForEachAsync(orders.Select((order, index) => (order, index)), new ParallelOptions { MaxDegreeOfParallelism = options.Clients, CancellationToken = ct },
            async (item, token) =>
            {
                var due = TimeSpan.FromSeconds((double)item.index / options.Rate) - placing.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, token);
                }

                placing.Started();
                var order = item.order;
                var giveUp = Stopwatch.StartNew();
                while (true)
                {
                    order.Attempts++;
                    var answer = Stopwatch.StartNew();
                    try
                    {
                        using var response = await http.PostAsJsonAsync("/orders", order.Request, token);
                        order.Status = (int)response.StatusCode;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
                    {
                        order.Status = 0;
                    }

                    placing.Answered(answer.Elapsed);
                    if (order.Status is >= 200 and < 500 || giveUp.Elapsed > options.PlaceTimeout)
                    {
                        return;
                    }

                    await Task.Delay(ClientRetryDelay, token);
                }
            });

    /// <summary>The three faults, each at its own random moment, overlapping when their moments do.</summary>
    private static Task ChaosAsync(
        CrashRunOptions options,
        Random random,
        Dictionary<string, ServiceProcess> processes,
        BrokerScripts broker,
        Placing placing,
        SemaphoreSlim restarts,
        Action<string> log,
        CancellationToken ct)
    {
        int At((double From, double To) window) => (int)(placing.Total * (window.From + (random.NextDouble() * (window.To - window.From))));

        async Task KillAsync(ServiceProcess process, int at)
        {
            await placing.WaitForStartedAsync(at, ct);
            await restarts.WaitAsync(ct);
            try
            {
                log($"kill -9 {process.Service} at order {placing.StartedCount}");
                await process.KillAsync();
                await Task.Delay(options.RestartDelay, ct);
                await process.StartAsync(cancellationToken: ct);
                log($"{process.Service} started again");
            }
            finally
            {
                restarts.Release();
            }
        }

        async Task RestartBrokerAsync(int at)
        {
            await placing.WaitForStartedAsync(at, ct);
            log($"broker stopped at order {placing.StartedCount}");
            await broker.StopAsync(ct);
            await Task.Delay(options.BrokerDownTime, ct);
            await broker.StartAsync(ct);
            log("broker started again");
        }

        return Task.WhenAll(
            KillAsync(processes[ServiceNames.Orders], At(options.KillOrdersWithin)),
            KillAsync(processes[ServiceNames.Inventory], At(options.KillInventoryWithin)),
            RestartBrokerAsync(At(options.RestartBrokerWithin)));
    }

    /// <summary>Orders' first incarnation ends itself at its crash point; it is started again like a killed one.</summary>
    private static async Task RestartAfterSelfCrashAsync(ServiceProcess orders, TimeSpan delay, SemaphoreSlim restarts, Action<string> log, CancellationToken ct)
    {
        await orders.Exited.WaitAsync(ct);
        await restarts.WaitAsync(ct);
        try
        {
            if (!orders.IsRunning)
            {
                log("Orders ended itself at its crash point (after a SubmitOrder commit, before its sends)");
                await Task.Delay(delay, ct);
                await orders.StartAsync(cancellationToken: ct);
                log("Orders started again");
            }
        }
        finally
        {
            restarts.Release();
        }
    }

    /// <summary>
    /// Waits until every accepted order is final, every outbox is empty and the last effect of each order (its
    /// notification, consumed after the outboxes emptied) is written, or the timeout passes.
    /// </summary>
    private static async Task<bool> SettleAsync(List<CrashOrder> orders, Dictionary<string, ServiceProcess> processes, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            await ReadFinalStatesAsync(orders, processes, ct);
            if (orders.All(o => !o.Accepted || o.FinalState is not null)
                && (await CountOutboxAsync(processes, setAside: false, ct)).Values.All(n => n == 0)
                && await AllNotifiedAsync(orders, processes, ct))
            {
                return true;
            }

            await Task.Delay(PollInterval, ct);
        }

        return false;
    }

    private static async Task<bool> AllNotifiedAsync(List<CrashOrder> orders, Dictionary<string, ServiceProcess> processes, CancellationToken ct)
    {
        await using var db = Open<NotificationsDbContext>(processes[ServiceNames.Notifications], o => new NotificationsDbContext(o));
        var notified = (await db.Notifications.AsNoTracking().Select(n => n.OrderId).ToListAsync(ct)).ToHashSet();
        return orders.Where(o => o.FinalState is OrderStates.Completed or OrderStates.Faulted).All(o => notified.Contains(o.Id));
    }

    private static async Task ReadFinalStatesAsync(List<CrashOrder> orders, Dictionary<string, ServiceProcess> processes, CancellationToken ct)
    {
        await using var db = Open<OrdersDbContext>(processes[ServiceNames.Orders], o => new OrdersDbContext(o));
        var states = await db.OrderSagas.AsNoTracking().ToDictionaryAsync(s => s.CorrelationId, s => s.CurrentState, ct);
        foreach (var order in orders)
        {
            order.FinalState = states.TryGetValue(order.Id, out var state) && OrderStates.IsFinal(state) ? state : null;
        }
    }

    private static async Task<Dictionary<string, int>> CountOutboxAsync(Dictionary<string, ServiceProcess> processes, bool setAside, CancellationToken ct)
    {
        var counts = new Dictionary<string, int>();
        foreach (var (service, process) in processes.Where(p => p.Key != ServiceNames.Gateway))
        {
            await using var db = Open<OutboxDbContext>(process, o => new OutboxDbContext(o));
            var summary = await new OutboxMaintenance(db).SummarizeAsync(ct);
            counts[service] = setAside ? summary.SetAside : summary.Pending;
        }

        return counts;
    }

    private static async Task<CrashReport> CheckAsync(
        List<CrashOrder> orders, Dictionary<string, ServiceProcess> processes, Placing placing, IReadOnlyList<string> events, string data, CancellationToken ct)
    {
        await ReadFinalStatesAsync(orders, processes, ct);
        await using var ordersDb = Open<OrdersDbContext>(processes[ServiceNames.Orders], o => new OrdersDbContext(o));
        var sagas = await ordersDb.OrderSagas.AsNoTracking().ToListAsync(ct);
        var completed = sagas.Where(s => s.CurrentState == OrderStates.Completed).ToDictionary(s => s.CorrelationId, s => s.Total);
        var faulted = sagas.Where(s => s.CurrentState != OrderStates.Completed && OrderStates.IsFinal(s.CurrentState)).Select(s => s.CorrelationId).ToHashSet();
        var completedIds = completed.Keys.ToList();
        var bought = (await ordersDb.Orders.AsNoTracking().Where(o => completedIds.Contains(o.Id)).SelectMany(o => o.Items).ToListAsync(ct))
            .GroupBy(i => i.Sku).ToDictionary(g => g.Key, g => g.Sum(i => i.Quantity));

        var stockErrors = new List<string>();
        await using (var inventory = Open<InventoryDbContext>(processes[ServiceNames.Inventory], o => new InventoryDbContext(o)))
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
        await using (var payments = Open<PaymentsDbContext>(processes[ServiceNames.Payments], o => new PaymentsDbContext(o)))
        {
            var kept = await payments.Charges.AsNoTracking().Where(c => c.Approved && c.RefundedAt == null).ToListAsync(ct);
            chargeErrors.AddRange(kept.Where(c => !completed.TryGetValue(c.OrderId, out var total) || total != c.Amount)
                .Select(c => $"order {c.OrderId} keeps a charge of {c.Amount} but is {sagas.SingleOrDefault(s => s.CorrelationId == c.OrderId)?.CurrentState ?? "unknown"}"));
            chargeErrors.AddRange(completed.Keys.Except(kept.Select(c => c.OrderId)).Select(id => $"completed order {id} has no charge"));
        }

        var notificationErrors = new List<string>();
        await using (var notifications = Open<NotificationsDbContext>(processes[ServiceNames.Notifications], o => new NotificationsDbContext(o)))
        {
            var sent = await notifications.Notifications.AsNoTracking().ToListAsync(ct);
            notificationErrors.AddRange(sent.GroupBy(n => n.OrderId).Where(g => g.Count() > 1).Select(g => $"order {g.Key} notified {g.Count()} times"));
            notificationErrors.AddRange(completed.Keys.Concat(faulted.Where(id => sagas.Single(s => s.CorrelationId == id).CurrentState == OrderStates.Faulted))
                .Except(sent.Select(n => n.OrderId)).Select(id => $"order {id} ended without a notification"));
        }

        var accepted = orders.Where(o => o.Accepted).ToList();
        return new CrashReport(
            orders.Count,
            accepted.Count,
            orders.Count(o => o.Status is 0 or >= 500),
            accepted.Count(o => o.FinalState == OrderStates.Completed),
            accepted.Count(o => o.FinalState is not null && o.FinalState != OrderStates.Completed),
            accepted.Where(o => o.FinalState is null).Select(o => o.Id).ToList(),
            await CountOutboxAsync(processes, setAside: false, ct),
            await CountOutboxAsync(processes, setAside: true, ct),
            stockErrors,
            chargeErrors,
            notificationErrors,
            placing.SlowestAnswer,
            placing.AnswersOverBound,
            events,
            data);
    }

    private static T Open<T>(ServiceProcess process, Func<DbContextOptions<T>, T> create)
        where T : DbContext
    {
        var file = Path.Combine(Path.GetDirectoryName(process.LogPath)!, process.Service + ".db");
        var connection = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly }.ToString();
        return create(new DbContextOptionsBuilder<T>().UseSqlite(connection).Options);
    }

    /// <summary>Progress of the placing clients, shared with the fault schedule.</summary>
    private sealed class Placing(int total, TimeSpan answerBound)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _started;
        private int _overBound;
        private long _slowestTicks;

        public int Total { get; } = total;

        public int StartedCount => Volatile.Read(ref _started);

        public TimeSpan Elapsed => _clock.Elapsed;

        public TimeSpan SlowestAnswer => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

        /// <summary>Answers that took longer than the Gateway's bound, as the client measured them (its own queueing included).</summary>
        public int AnswersOverBound => Volatile.Read(ref _overBound);

        public void Started() => Interlocked.Increment(ref _started);

        public void Answered(TimeSpan took)
        {
            if (took > answerBound)
            {
                Interlocked.Increment(ref _overBound);
            }

            long current;
            while ((current = Interlocked.Read(ref _slowestTicks)) < took.Ticks && Interlocked.CompareExchange(ref _slowestTicks, took.Ticks, current) != current)
            {
            }
        }

        public async Task WaitForStartedAsync(int count, CancellationToken ct)
        {
            while (StartedCount < Math.Min(count, Total))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            }
        }
    }
}
