using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicroComms.Gateway;
using MicroComms.Host;
using MicroComms.Inventory;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Stores;
using MicroComms.Notifications;
using MicroComms.Orders;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests;

/// <summary>
/// PostgreSQL as a fault: a server that is down when a service starts stops start-up with one sentence; a server that
/// goes away while the services run (stopped, then started again on the same port and data folder) loses nothing:
/// consumers retry and redeliver, the Gateway's clients ask again, and the outboxes resume.
/// </summary>
[Trait("Needs", "Postgres")]
public sealed class PostgresOutage_Specs(ITestOutputHelper output)
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_PostgreSQL_that_is_down_at_start_stops_start_up_with_one_sentence_naming_host_and_port_and_exit_code_2()
    {
        await using var server = await PostgresServer.StartPrivateAsync();
        var target = new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "microcomms_orders", Timeout = 5 };
        await server.StopAsync();

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     typeof(MicroCommsApp).Assembly.Location, "--services", "orders", "--data", TestFiles.Path($"down-{Guid.NewGuid():N}"),
                     "--urls", "http://127.0.0.1:0", "--grpc-url", "",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MicroComms__Store"] = "Postgres";
        start.Environment["ConnectionStrings__Orders"] = target.ConnectionString;
        start.Environment["ConnectionStrings__Scheduler"] = target.ConnectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        await process.WaitForExitAsync(timeout.Token);
        var error = await stderr;
        output.WriteLine($"exit {process.ExitCode}\nstdout:\n{await stdout}\nstderr:\n{error}");

        Assert.Equal(MicroCommsCommands.UsageError, process.ExitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("microcomms: PostgreSQL for ", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{target.Port.ToString(CultureInfo.InvariantCulture)}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Three_instances_of_a_service_starting_at_once_on_an_empty_database_all_start_and_share_one_schema()
    {
        // Regression: each instance ran EnsureCreated; two that found no tables at once both created them, and one
        // stopped at start with 42P07 "relation already exists".
        await using var server = await PostgresServer.StartAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var payments = await server.CreateDatabaseAsync($"race_{id}_payments");
        var scheduler = await server.CreateDatabaseAsync($"race_{id}_scheduler");
        var apps = Enumerable.Range(0, 3).Select(i => MicroCommsApp.Build(new Dictionary<string, string?>
        {
            [StoreRegistration.StoreKey] = "Postgres",

            // All three migrate the empty database at once: EF's migration lock and the initializer's advisory lock.
            [StoreSchema.MigrateAtStartKey] = "true",
            ["ConnectionStrings:Payments"] = payments,
            ["ConnectionStrings:Scheduler"] = scheduler,
            ["MicroComms:Host:Services"] = "payments",
            ["MicroComms:Host:DataDirectory"] = TestFiles.Path($"race-{id}-{i}"),
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        })).ToList();
        try
        {
            await Task.WhenAll(apps.Select(a => a.StartAsync()));

            await using var db = new MicroComms.Payments.PaymentsDbContext(StoreRegistration.OptionsFor<MicroComms.Payments.PaymentsDbContext>(StoreKind.Postgres, payments));
            Assert.Equal(0, await db.Charges.CountAsync());
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }

            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }

    [Fact]
    [Trait("Needs", "Broker")]
    public async Task PostgreSQL_going_away_while_services_run_loses_nothing_and_the_outboxes_resume_once_it_is_back()
    {
        const int Orders = 30;
        var node = await RabbitMqNode.StartDefaultAsync();
        var vhost = await node.CreateVirtualHostAsync("pg-outage");
        await using var server = await PostgresServer.StartPrivateAsync();
        try
        {
            var settings = node.Settings(vhost);
            var databases = new Dictionary<string, string>();
            foreach (var name in ServiceDatabases.Names.Append("Scheduler"))
            {
                databases[name] = await server.CreateDatabaseAsync($"outage_{name.ToLowerInvariant()}");
                settings[$"ConnectionStrings:{name}"] = databases[name];
            }

            settings[StoreRegistration.StoreKey] = "Postgres";
            settings[StoreSchema.MigrateAtStartKey] = "true";
            settings["MicroComms:Host:Services"] = "all";
            settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
            settings["MicroComms:Host:GrpcUrl"] = "";
            settings["MicroComms:Payments:TransientFailureRate"] = "0";
            settings["MicroComms:Gateway:RequestTimeout"] = "00:00:03";
            settings["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:01";
            settings["MicroComms:Retry:RedeliveryIntervals:1"] = "00:00:05";
            settings["MicroComms:Retry:RedeliveryIntervals:2"] = "00:00:15";
            settings["MicroComms:Outbox:LeaseDuration"] = "00:00:10";
            settings["MicroComms:Outbox:MessageDeliveryTimeout"] = "00:00:03";
            settings["Logging:LogLevel:Default"] = "Warning";

            await using var app = MicroCommsApp.Build(settings);
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(app)[0], Timeout = TimeSpan.FromSeconds(30) };

            // A third of the orders before the outage, a third while the server is down (their clients ask again until
            // answered), a third after it is back.
            var ids = Enumerable.Range(0, Orders).Select(_ => Guid.NewGuid()).ToList();
            var placed = new List<Task<HttpStatusCode>>();
            placed.AddRange(ids.Take(Orders / 3).Select(id => PlaceAsync(http, id)));
            await Task.Delay(TimeSpan.FromSeconds(1));
            await server.StopAsync();
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} PostgreSQL stopped");
            placed.AddRange(ids.Skip(Orders / 3).Take(Orders / 3).Select(id => PlaceAsync(http, id)));
            await Task.Delay(TimeSpan.FromSeconds(8));
            await server.StartAgainAsync();
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} PostgreSQL started again");
            placed.AddRange(ids.Skip(2 * Orders / 3).Select(id => PlaceAsync(http, id)));
            var answers = await Task.WhenAll(placed);
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a));

            await Poll.Until(
                async () => await FinalCountAsync(databases["Orders"], ids) == Orders && await PendingOutboxAsync(databases) == 0
                    && await NotifiedAsync(databases["Notifications"], ids) == Orders,
                TimeSpan.FromSeconds(120));
            await app.StopAsync();

            await using (var inventory = new InventoryDbContext(StoreRegistration.OptionsFor<InventoryDbContext>(StoreKind.Postgres, databases["Inventory"])))
            await using (var orders = new OrdersDbContext(StoreRegistration.OptionsFor<OrdersDbContext>(StoreKind.Postgres, databases["Orders"])))
            {
                var completed = await orders.OrderSagas.AsNoTracking().Where(s => s.CurrentState == OrderStates.Completed).Select(s => s.CorrelationId).ToListAsync();
                var bought = (await orders.Orders.AsNoTracking().Where(o => completed.Contains(o.Id)).SelectMany(o => o.Items).ToListAsync())
                    .GroupBy(i => i.Sku).ToDictionary(g => g.Key, g => g.Sum(i => i.Quantity));
                foreach (var item in await inventory.Stock.AsNoTracking().ToListAsync())
                {
                    var seeded = InventoryDbContext.SeedCatalogue.Single(s => s.Sku == item.Sku).Available;
                    Assert.Equal(bought.GetValueOrDefault(item.Sku), item.Reserved);
                    Assert.Equal(seeded, item.Available + item.Reserved);
                }
            }

            Assert.Equal(0, await SetAsideOutboxAsync(databases));
            Assert.Empty(await ErrorQueueMessagesAsync(node, vhost));
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await node.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>Places one order, asking again with the same id until the Gateway accepts or refuses it (or 90 s pass).</summary>
    private static async Task<HttpStatusCode> PlaceAsync(HttpClient http, Guid id)
    {
        var request = new PlaceOrderRequest(id, "alice", [new PlaceOrderLine("KB-101", 1, 25m), new PlaceOrderLine("MS-202", 2, 10m)]);
        var giveUp = Stopwatch.StartNew();
        while (true)
        {
            HttpStatusCode status;
            try
            {
                using var response = await http.PostAsJsonAsync("/orders", request);
                status = response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                status = HttpStatusCode.ServiceUnavailable;
            }

            if ((int)status < 500 || giveUp.Elapsed > ProcessTimeout)
            {
                return status;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<int> FinalCountAsync(string connectionString, List<Guid> ids)
    {
        try
        {
            await using var db = new OrdersDbContext(StoreRegistration.OptionsFor<OrdersDbContext>(StoreKind.Postgres, connectionString));
            var states = await db.OrderSagas.AsNoTracking().Where(s => ids.Contains(s.CorrelationId)).Select(s => s.CurrentState).ToListAsync();
            return states.Count(OrderStates.IsFinal);
        }
        catch (Npgsql.NpgsqlException)
        {
            return -1;
        }
    }

    private static async Task<int> NotifiedAsync(string connectionString, List<Guid> ids)
    {
        await using var db = new NotificationsDbContext(StoreRegistration.OptionsFor<NotificationsDbContext>(StoreKind.Postgres, connectionString));
        return await db.Notifications.AsNoTracking().Where(n => ids.Contains(n.OrderId)).Select(n => n.OrderId).Distinct().CountAsync();
    }

    private static async Task<int> PendingOutboxAsync(Dictionary<string, string> databases) =>
        (await SummariesAsync(databases)).Sum(s => s.Pending);

    private static async Task<int> SetAsideOutboxAsync(Dictionary<string, string> databases) =>
        (await SummariesAsync(databases)).Sum(s => s.SetAside);

    private static async Task<List<OutboxSummary>> SummariesAsync(Dictionary<string, string> databases)
    {
        var summaries = new List<OutboxSummary>();
        foreach (var name in ServiceDatabases.Names)
        {
            await using var db = OutboxDbContext.Open(StoreKind.Postgres, databases[name]);
            summaries.Add(await new OutboxMaintenance(db).SummarizeAsync(CancellationToken.None));
        }

        return summaries;
    }

    /// <summary>Messages in the virtual host's error queues: a message that ended there was not retried through the outage.</summary>
    private static async Task<List<string>> ErrorQueueMessagesAsync(RabbitMqNode node, string vhost)
    {
        using var management = node.ManagementClient();
        using var queues = JsonDocument.Parse(await management.GetStringAsync($"api/queues/{Uri.EscapeDataString(vhost)}"));
        var errors = new List<string>();
        foreach (var queue in queues.RootElement.EnumerateArray())
        {
            var name = queue.GetProperty("name").GetString() ?? "";
            if (name.EndsWith("_error", StringComparison.Ordinal)
                && await node.MessageCountAsync(vhost, name) is > 0 and var count)
            {
                errors.Add($"{name}: {count}");
            }
        }

        return errors;
    }
}
