using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MicroComms.Gateway;
using MicroComms.Inventory;
using MicroComms.Messaging;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using MicroComms.Notifications;
using MicroComms.Orders;
using MicroComms.Orders.Saga;
using MicroComms.Payments;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MicroComms.Host.Crash;

/// <summary>
/// The crash test an operator would run: every service a process of its own over a private RabbitMQ node, orders
/// through <c>POST /orders</c> at a steady rate from several clients (each retrying with the same order id until it
/// gets an answer), kill -9 of Orders, Payments and Inventory (one instance each when they run as several) and a broker
/// stop/start while they flow; one customer's charges are slow, so their payment timeouts fire, some while an instance is
/// dead. Then it waits for the system to settle and checks from the databases that every accepted order ended, no outbox
/// row is left, stock, charges and notifications each happened exactly once per order, and every payment timeout that
/// came due while an instance was dead was consumed once.
/// </summary>
public static class CrashRun
{
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

        if (options.Instances > 1 && options.Store != StoreKind.Postgres)
        {
            throw new HostConfigurationException(
                $"--instances {options.Instances} needs --store postgres: a SQLite file belongs to the one machine that has it, so each service runs once on SQLite.");
        }

        var scripts = options.RabbitMqDirectory ?? BrokerScripts.Find(Directory.GetCurrentDirectory()) ?? BrokerScripts.Find(AppContext.BaseDirectory)
            ?? throw new HostConfigurationException("No rabbitmq/ folder found above the working folder: run from the repository or name the folder.");
        Directory.CreateDirectory(data);
        await using var postgres = options.Store == StoreKind.Postgres
            ? await PostgresCluster.StartAsync(options.PostgresConnectionString, Path.Combine(data, "postgres"), cancellationToken)
            : null;
        var databases = await RunDatabases.CreateAsync(options.Store, runId, data, postgres, cancellationToken);
        var broker = new BrokerScripts(scripts, options.BrokerPort);
        await broker.StartAsync(cancellationToken);
        var vhost = $"crash-{runId}";
        await broker.CreateVirtualHostAsync(vhost, cancellationToken);
        var processes = ServiceNames.All
            .SelectMany(s => Enumerable.Range(1, s is ServiceNames.Gateway or ServiceNames.Notifications ? 1 : options.Instances)
                .Select(i => options.Instances == 1 || s is ServiceNames.Gateway or ServiceNames.Notifications ? s : $"{s}-{i}")
                .Select(name => new ServiceProcess(s, name, Path.Combine(data, name), "http://127.0.0.1:0", ServiceEnvironment(options, vhost, databases, s))))
            .ToList();
        var watch = new TimeoutWatch(databases);
        try
        {
            log($"Crash run {runId} (seed {options.Seed}): {options.Orders} orders at {options.Rate}/s from {options.Clients} clients; "
                + $"{options.Store}, {options.Instances} instance(s) each of Orders, Inventory and Payments; data in {data}");
            var crashPoint = options.CrashOrdersAfterCommit is { } n
                ? new Dictionary<string, string>
                {
                    ["MicroComms__CrashPoint__AfterCommitOf"] = "SubmitOrder",
                    ["MicroComms__CrashPoint__AfterCommitNumber"] = n.ToString(CultureInfo.InvariantCulture),
                }
                : null;
            var firstOrders = processes.First(p => p.Service == ServiceNames.Orders);
            if (options.Store == StoreKind.Postgres)
            {
                await MigrateAsync(databases, cancellationToken);
            }

            await StartAllAsync(processes, firstOrders, crashPoint, cancellationToken);
            var gateway = processes.Single(p => p.Service == ServiceNames.Gateway);
            using var http = new HttpClient
            {
                BaseAddress = gateway.Address,
                Timeout = options.RequestTimeout + TimeSpan.FromSeconds(30),
            };

            var orders = CreateOrders(options.Orders, random);
            var placing = new Placing(orders.Count, options.RequestTimeout + new GatewayOptions().RequestTimeoutMargin);
            // One kill or restart at a time per process (the first Orders may end itself at its crash point and be killed).
            var restarts = processes.ToDictionary(p => p, _ => new SemaphoreSlim(1, 1));
            var chaos = ChaosAsync(options, random, processes, broker, placing, restarts, watch, Event, cancellationToken);
            var selfCrash = crashPoint is null
                ? Task.CompletedTask
                : RestartAfterSelfCrashAsync(firstOrders, options.RestartDelay, restarts[firstOrders], Event, cancellationToken);
            await PlaceAsync(http, orders, options, placing, cancellationToken);
            placing.PlacingTime = placing.Elapsed;
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

            var placed = placing.Elapsed;
            var settled = await SettleAsync(orders, databases, () => QueuedAsync(broker, vhost, cancellationToken), options.SettleTimeout, cancellationToken);
            var settleTime = placing.Elapsed - placed;
            log(settled ? $"Settled in {settleTime.TotalSeconds:F0} s: every accepted order is final and every outbox is empty." : $"Not settled within {options.SettleTimeout}.");
            foreach (var process in Enumerable.Reverse(processes))
            {
                await process.StopAsync(StopTimeout);
            }

            var report = await CheckAsync(orders, databases, placing, watch, [.. events], data, options, settleTime, cancellationToken);
            return report with { Queued = await QueuedAsync(broker, vhost, cancellationToken) };
        }
        catch (Exception ex)
        {
            // Said before the clean-up, which can fail for the same reason (a broker that did not come back) and hide it.
            log($"The run failed: {ex.GetType().Name}: {ex.Message}");
            throw;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            await CleanUpAsync("delete the virtual host", () => broker.DeleteVirtualHostAsync(vhost, CancellationToken.None), log);
            await CleanUpAsync("stop the broker", () => broker.StopAsync(CancellationToken.None), log);
            if (postgres is not null)
            {
                await CleanUpAsync("drop the run's databases", () => postgres.DropDatabasesAsync(databases.PostgresNames, CancellationToken.None), log);
            }
        }
    }

    /// <summary>One clean-up step; a failure is logged, so the next step still runs and the run's own outcome stands.</summary>
    private static async Task CleanUpAsync(string step, Func<Task> action, Action<string> log)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException or NpgsqlException)
        {
            log($"Could not {step}: {ex.Message}");
        }
    }

    /// <summary>
    /// On PostgreSQL the schemas come first, as a deployment does it (<c>microcomms db migrate</c>): the services start with
    /// <c>MicroComms:MigrateAtStart</c> off, PostgreSQL's default, and only check that their database is migrated.
    /// </summary>
    private static async Task MigrateAsync(RunDatabases databases, CancellationToken ct)
    {
        foreach (var database in Db.DbCommand.All)
        {
            await using var db = database.Open(StoreKind.Postgres, databases.ConnectionStrings[database.ConnectionStringName]);
            await StoreSchema.MigrateAsync(db, ct);
        }

        foreach (var scheduler in databases.OtherSchedulers.Values)
        {
            await using var db = SchedulerDbContext.Open(StoreKind.Postgres, scheduler);
            await StoreSchema.MigrateAsync(db, ct);
        }
    }

    /// <summary>
    /// Starts every process: the first Orders instance alone (on SQLite it also creates the scheduler table every process
    /// shares), then the first instance of every other service, then the other instances, so no start waits on another's
    /// schema.
    /// </summary>
    private static async Task StartAllAsync(
        List<ServiceProcess> processes, ServiceProcess firstOrders, Dictionary<string, string>? crashPoint, CancellationToken ct)
    {
        await firstOrders.StartAsync(crashPoint, ct);
        var firsts = processes.Where(p => p != firstOrders).GroupBy(p => p.Service).Select(g => g.First()).ToList();
        await Task.WhenAll(firsts.Select(p => p.StartAsync(cancellationToken: ct)));
        await Task.WhenAll(processes.Where(p => p != firstOrders && !firsts.Contains(p)).Select(p => p.StartAsync(cancellationToken: ct)));
    }

    /// <summary>
    /// What every process of <paramref name="service"/> is started with, on top of its own <c>--services</c> and <c>--data</c>:
    /// the service's own broker user (rabbitmq/definitions.json, whose permissions the run's virtual host copies) and its own
    /// scheduler queue and table, as production runs it.
    /// </summary>
    private static Dictionary<string, string> ServiceEnvironment(CrashRunOptions options, string vhost, RunDatabases databases, string service)
    {
        var environment = new Dictionary<string, string>
        {
            ["MicroComms__RabbitMq__Host"] = "127.0.0.1",
            ["MicroComms__RabbitMq__Port"] = options.BrokerPort.ToString(CultureInfo.InvariantCulture),
            ["MicroComms__RabbitMq__VirtualHost"] = vhost,
            ["MicroComms__RabbitMq__Username"] = BrokerPermission.ServiceUser(service),
            ["MicroComms__RabbitMq__Password"] = BrokerPermission.ServiceUser(service),
            ["MicroComms__Scheduler__QueueName"] = BrokerPermission.SchedulerQueue(service),
            ["MicroComms__Store"] = options.Store.ToString(),
            ["MicroComms__Orders__PaymentTimeout"] = options.PaymentTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["MicroComms__Payments__SlowChargeDelay"] = options.SlowChargeDelay.ToString("c", CultureInfo.InvariantCulture),
            ["MicroComms__Gateway__RequestTimeout"] = options.RequestTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["MicroComms__Outbox__LeaseDuration"] = options.OutboxLease.ToString("c", CultureInfo.InvariantCulture),
            ["MicroComms__Outbox__MessageDeliveryTimeout"] = (options.OutboxLease / 3).ToString("c", CultureInfo.InvariantCulture),
            ["MicroComms__Retry__RedeliveryIntervals__0"] = "00:00:01",
            ["MicroComms__Retry__RedeliveryIntervals__1"] = "00:00:05",
            ["MicroComms__Retry__RedeliveryIntervals__2"] = "00:00:15",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft"] = "Warning",
            ["Logging__LogLevel__MassTransit"] = "Warning",

            // Several web processes on one machine: the workstation GC, not a server GC heap per core in each.
            ["DOTNET_gcServer"] = "0",
        };
        if (options.SlowPaymentsCustomer is { } slow)
        {
            environment["MicroComms__Payments__SlowCustomers__0"] = slow;
        }

        // On SQLite each process keeps its own database in its --data folder; on PostgreSQL the run created them.
        foreach (var (name, connectionString) in databases.ConnectionStrings.Where(d => options.Store == StoreKind.Postgres && d.Key != SchedulerOptions.ConnectionStringName))
        {
            environment[$"ConnectionStrings__{name}"] = connectionString;
        }

        // Each service its own scheduler table, shared by its instances (a scheduled message is sent by the service that
        // scheduled it, with its rights); on SQLite the services other than Orders keep theirs in their --data folder.
        if (databases.SchedulerOf(service) is { } scheduler)
        {
            environment[$"ConnectionStrings__{SchedulerOptions.ConnectionStringName}"] = scheduler;
        }

        return environment;
    }

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

    /// <summary>The four faults, each at its own random moment, overlapping when their moments do.</summary>
    private static Task ChaosAsync(
        CrashRunOptions options,
        Random random,
        List<ServiceProcess> processes,
        BrokerScripts broker,
        Placing placing,
        Dictionary<ServiceProcess, SemaphoreSlim> restarts,
        TimeoutWatch watch,
        Action<string> log,
        CancellationToken ct)
    {
        int At((double From, double To) window) => (int)(placing.Total * (window.From + (random.NextDouble() * (window.To - window.From))));

        ServiceProcess AnyOf(string service)
        {
            var instances = processes.Where(p => p.Service == service).ToList();
            return instances[random.Next(instances.Count)];
        }

        async Task KillAsync(ServiceProcess process, int at)
        {
            await placing.WaitForStartedAsync(at, ct);
            await restarts[process].WaitAsync(ct);
            try
            {
                log($"kill -9 {process.Name} at order {placing.StartedCount}");
                await process.KillAsync();
                var killedAt = DateTimeOffset.UtcNow;
                using (var dead = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    var watching = watch.WatchAsync(dead.Token);
                    await Task.Delay(options.RestartDelay, ct);
                    await process.StartAsync(cancellationToken: ct);
                    await dead.CancelAsync();
                    await watching;
                }

                watch.Dead(process.Name, killedAt, DateTimeOffset.UtcNow);
                log($"{process.Name} started again");
            }
            finally
            {
                restarts[process].Release();
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
            KillAsync(AnyOf(ServiceNames.Orders), At(options.KillOrdersWithin)),
            KillAsync(AnyOf(ServiceNames.Payments), At(options.KillPaymentsWithin)),
            KillAsync(AnyOf(ServiceNames.Inventory), At(options.KillInventoryWithin)),
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
                log($"{orders.Name} ended itself at its crash point (after a SubmitOrder commit, before its sends)");
                await Task.Delay(delay, ct);
                await orders.StartAsync(cancellationToken: ct);
                log($"{orders.Name} started again");
            }
        }
        finally
        {
            restarts.Release();
        }
    }

    /// <summary>Messages still in the run's queues (ready or being handled), by queue; empty queues are left out.</summary>
    private static async Task<IReadOnlyDictionary<string, int>> QueuedAsync(BrokerScripts broker, string vhost, CancellationToken ct) =>
        (await broker.QueueDepthsAsync(vhost, ct)).Where(q => q.Value > 0).ToDictionary();

    /// <summary>
    /// Waits until every accepted order is final, every outbox is empty, the last effect of each order (its
    /// notification, consumed after the outboxes emptied) is written and no message waits in a queue (a late charge of
    /// an order that already timed out, say), or the timeout passes.
    /// </summary>
    private static async Task<bool> SettleAsync(
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

    private static async Task<Dictionary<string, int>> CountOutboxAsync(RunDatabases databases, bool setAside, CancellationToken ct)
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

    private static async Task<CrashReport> CheckAsync(
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
        };
    }

    /// <summary>Where each service's database is in this run, for the checks: a SQLite file per process, or a PostgreSQL database per service.</summary>
    private sealed class RunDatabases(StoreKind store, Dictionary<string, string> connectionStrings, List<string> postgresNames, Dictionary<string, string> schedulers)
    {
        /// <summary>By connection-string name (Orders, …, Scheduler: Orders' scheduler, where its payment timeouts wait).</summary>
        public Dictionary<string, string> ConnectionStrings { get; } = connectionStrings;

        /// <summary>The scheduler database of every service but Orders, on PostgreSQL (on SQLite each keeps it in its --data folder).</summary>
        public IReadOnlyDictionary<string, string> OtherSchedulers { get; } = schedulers;

        public string? SchedulerOf(string service) =>
            service == ServiceNames.Orders ? ConnectionStrings[SchedulerOptions.ConnectionStringName] : OtherSchedulers.GetValueOrDefault(service);

        public IReadOnlyList<string> PostgresNames { get; } = postgresNames;

        public static async Task<RunDatabases> CreateAsync(StoreKind store, string runId, string data, PostgresCluster? postgres, CancellationToken ct)
        {
            var names = ServiceDatabases.Names.Append(SchedulerOptions.ConnectionStringName).ToList();
            var connectionStrings = new Dictionary<string, string>();
            var created = new List<string>();
            foreach (var name in names)
            {
                if (postgres is null)
                {
                    // Where a single process of the service keeps its file (--data <run>/<service>), and Orders' scheduler.db.
                    connectionStrings[name] = name == SchedulerOptions.ConnectionStringName
                        ? $"Data Source={Path.Combine(data, "scheduler.db")}"
                        : $"Data Source={Path.Combine(data, name.ToLowerInvariant(), name.ToLowerInvariant() + ".db")}";
                }
                else
                {
                    var database = $"crash_{runId}_{name.ToLowerInvariant()}";
                    connectionStrings[name] = await postgres.CreateDatabaseAsync(database, ct);
                    created.Add(database);
                }
            }

            var schedulers = new Dictionary<string, string>();
            foreach (var service in ServiceNames.All.Where(s => postgres is not null && s != ServiceNames.Orders))
            {
                var database = $"crash_{runId}_scheduler_{service}";
                schedulers[service] = await postgres!.CreateDatabaseAsync(database, ct);
                created.Add(database);
            }

            return new RunDatabases(store, connectionStrings, created, schedulers);
        }

        /// <summary>A context on the database <paramref name="name"/> (read-only on SQLite).</summary>
        public T Open<T>(string name, Func<DbContextOptions<T>, T> create)
            where T : DbContext
        {
            if (store == StoreKind.Postgres)
            {
                return create(StoreRegistration.OptionsFor<T>(store, ConnectionStrings[name]));
            }

            var connection = new SqliteConnectionStringBuilder(ConnectionStrings[name]) { Mode = SqliteOpenMode.ReadOnly }.ToString();
            return create(new DbContextOptionsBuilder<T>().UseSqlite(connection).Options);
        }
    }

    /// <summary>
    /// The payment timeouts that came due while an instance was dead: while it is, the scheduler table is read every
    /// quarter second for waiting PaymentTimedOut rows; afterwards, the rows due within a dead window are checked against
    /// Orders' inbox (each consumed once) and the order (final; faulted by that timeout unless the payment beat it).
    /// </summary>
    private sealed class TimeoutWatch(RunDatabases databases)
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
                var orderId = OrderIdOf(row.Body);
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

        /// <summary>The order id in a stored PaymentTimedOut body (a MassTransit envelope: <c>message.orderId</c>).</summary>
        private static Guid? OrderIdOf(string body)
        {
            using var json = JsonDocument.Parse(body);
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
                SELECT message_id AS "MessageId", due_at AS "DueAt", body AS "Body" FROM scheduled_messages
                WHERE message_type LIKE '%PaymentTimedOut%'
                """).ToListAsync(ct);
        }
    }

    /// <summary>A waiting PaymentTimedOut row of the scheduler table.</summary>
    private sealed class ScheduledTimeout
    {
        public Guid MessageId { get; set; }

        public long DueAt { get; set; }

        public string Body { get; set; } = "";
    }

    /// <summary>Progress of the placing clients, shared with the fault schedule.</summary>
    private sealed class Placing(int total, TimeSpan answerBound)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _started;
        private int _overBound;
        private readonly ConcurrentQueue<TimeSpan> _answers = new();
        private long _slowestTicks;

        public int Total { get; } = total;

        /// <summary>From the first order's moment to the last order's answer.</summary>
        public TimeSpan PlacingTime { get; set; }

        public TimeSpan MedianAnswer => _answers.IsEmpty ? TimeSpan.Zero : _answers.Order().ElementAt(_answers.Count / 2);

        public int StartedCount => Volatile.Read(ref _started);

        public TimeSpan Elapsed => _clock.Elapsed;

        public TimeSpan SlowestAnswer => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

        /// <summary>Answers that took longer than the Gateway's bound, as the client measured them (its own queueing included).</summary>
        public int AnswersOverBound => Volatile.Read(ref _overBound);

        public void Started() => Interlocked.Increment(ref _started);

        public void Answered(TimeSpan took)
        {
            _answers.Enqueue(took);
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
