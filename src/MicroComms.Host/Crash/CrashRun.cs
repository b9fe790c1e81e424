using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using MicroComms.Gateway;
using MicroComms.Inventory;
using MicroComms.Messaging;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using MicroComms.Orders;
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
/// came due while an instance was dead was consumed once. With <see cref="CrashRunOptions.Brokers"/> 3 the broker is a
/// cluster: each service connects to another node first, its queues are quorum queues, and one cluster fault
/// (<see cref="BrokerFaults"/>) replaces the stop/start, checked the same way (the services are not killed there unless asked).
/// </summary>
public static class CrashRun
{
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

        if (options.Brokers == 1 && options.BrokerFault != BrokerFault.Restart)
        {
            throw new HostConfigurationException($"--broker-fault {options.BrokerFault} needs a cluster: --brokers 3.");
        }

        var scripts = options.RabbitMqDirectory ?? BrokerScripts.Find(Directory.GetCurrentDirectory()) ?? BrokerScripts.Find(AppContext.BaseDirectory)
            ?? throw new HostConfigurationException("No rabbitmq/ folder found above the working folder: run from the repository or name the folder.");
        Directory.CreateDirectory(data);
        await using var postgres = options.Store == StoreKind.Postgres
            ? await PostgresCluster.StartAsync(options.PostgresConnectionString, Path.Combine(data, "postgres"), cancellationToken)
            : null;
        var databases = await RunDatabases.CreateAsync(options.Store, runId, data, postgres, cancellationToken);
        var broker = new RunBroker(scripts, options.BrokerPort, options.Brokers);
        await broker.StartAsync(cancellationToken);
        var vhost = $"crash-{runId}";
        await broker.CreateVirtualHostAsync(vhost, quorum: broker.IsCluster && options.EffectiveQueueType == QueueType.Quorum, cancellationToken);
        var processes = ServiceNames.All
            .SelectMany(s => Enumerable.Range(1, s is ServiceNames.Gateway or ServiceNames.Notifications ? 1 : options.Instances)
                .Select(i => (Service: s, Name: options.Instances == 1 || s is ServiceNames.Gateway or ServiceNames.Notifications ? s : $"{s}-{i}")))
            .Select((p, index) =>
            {
                var environment = ServiceEnvironment(options, vhost, databases, p.Service);
                return new ServiceProcess(
                    p.Service, p.Name, Path.Combine(data, p.Name), "http://127.0.0.1:0", broker.IsCluster ? WithHosts(environment, broker, index) : environment);
            })
            .ToList();
        var faultTimes = new BrokerFaultTimes();
        var watch = new TimeoutWatch(databases);
        try
        {
            log($"Crash run {runId} (seed {options.Seed}): {options.Orders} orders at {options.Rate}/s from {options.Clients} clients; "
                + $"{options.Store}, {options.Instances} instance(s) each of Orders, Inventory and Payments; {options.Brokers} broker node(s), "
                + $"{options.EffectiveQueueType} queues, broker fault {options.BrokerFault}, service kills {(options.EffectiveKillServices ? "on" : "off")}; data in {data}");
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
            var chaos = Task.WhenAll(
                options.EffectiveKillServices ? ServiceFaults.KillAsync(options, random, processes, placing, restarts, watch, Event, cancellationToken) : Task.CompletedTask,
                BrokerFaults.RunAsync(options, random, broker, vhost, placing, faultTimes, Event, cancellationToken));
            var selfCrash = crashPoint is null
                ? Task.CompletedTask
                : ServiceFaults.RestartAfterSelfCrashAsync(firstOrders, options.RestartDelay, restarts[firstOrders], Event, cancellationToken);
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
            var settled = await CrashChecks.SettleAsync(orders, databases, () => CrashChecks.QueuedAsync(broker, vhost, cancellationToken), options.SettleTimeout, cancellationToken);
            var settleTime = placing.Elapsed - placed;
            log(settled ? $"Settled in {settleTime.TotalSeconds:F0} s: every accepted order is final and every outbox is empty." : $"Not settled within {options.SettleTimeout}.");
            // A service that ended by itself (the broker's fault took it down) was not riding through it.
            var exited = processes.Where(p => !p.IsRunning).Select(p => $"{p.Name} ended by itself").ToList();
            foreach (var process in Enumerable.Reverse(processes))
            {
                await process.StopAsync(StopTimeout);
            }

            var report = await CrashChecks.CheckAsync(orders, databases, placing, watch, [.. events], data, options, settleTime, cancellationToken);
            var recovery = await CrashChecks.RecoveryAsync(faultTimes, databases, cancellationToken);
            return report with
            {
                Queued = await CrashChecks.QueuedAsync(broker, vhost, cancellationToken),
                Brokers = options.Brokers,
                QueueType = options.EffectiveQueueType,
                BrokerFault = options.BrokerFault,
                Recovery = recovery.FirstCompleted,
                NewOrderRecovery = recovery.FirstNewOrderCompleted,
                DuringFault = CrashChecks.AnswersDuring(faultTimes, placing),
                ServiceExits = exited,
            };
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
            if (!options.KeepBrokerRunning)
            {
                await CleanUpAsync("stop the broker", () => broker.StopAsync(CancellationToken.None), log);
            }
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

    /// <summary><paramref name="environment"/> with the cluster's nodes for the <paramref name="index"/>th process, starting at another node for each.</summary>
    private static Dictionary<string, string> WithHosts(Dictionary<string, string> environment, RunBroker broker, int index) =>
        new(environment.Concat(broker.HostsSettings(index)));

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
            ["MicroComms__RabbitMq__QueueType"] = options.EffectiveQueueType.ToString(),
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
        if (options.MessagePackServices.Contains(service))
        {
            environment["MicroComms__Serializer"] = "MessagePack";
        }

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

                    placing.Answered(answer.Elapsed, order.Status);
                    if (order.Status is >= 200 and < 500 || giveUp.Elapsed > options.PlaceTimeout)
                    {
                        return;
                    }

                    await Task.Delay(ClientRetryDelay, token);
                }
            });
}
