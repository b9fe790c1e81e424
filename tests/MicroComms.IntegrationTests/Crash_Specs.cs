using System.Globalization;
using MicroComms.Host.Crash;
using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests;

/// <summary>
/// The crash run (<c>microcomms crash</c>) at a size CI affords: every service a process of its own on a private node,
/// Orders ending itself right after a SubmitOrder commit (before its sends), kill -9 of Orders and Inventory and a broker
/// stop/start while orders flow; and the same with two processes each of Orders, Inventory and Payments on one
/// PostgreSQL. Its node is never the shared broker: its port is <c>MICROCOMMS_RABBITMQ_CRASH_PORT</c>.
/// </summary>
[Trait("Speed", "Slow")]
[Trait("Needs", "Broker")]
public sealed class Crash_Specs(ITestOutputHelper output)
{
    private const string PortVariable = "MICROCOMMS_RABBITMQ_CRASH_PORT";
    private const int DefaultPort = 5760;

    private static int BrokerPort =>
        Environment.GetEnvironmentVariable(PortVariable) is { Length: > 0 } configured ? int.Parse(configured, CultureInfo.InvariantCulture) : DefaultPort;

    [Fact]
    [Trait("Needs", "Postgres")]
    public async Task Two_instances_each_on_one_PostgreSQL_with_one_of_each_killed_end_every_order_once_and_fire_every_timeout_due_meanwhile_once()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var options = new CrashRunOptions
        {
            Orders = 80,
            Rate = 4,
            Clients = 4,
            Seed = 18,
            Store = StoreKind.Postgres,
            Instances = 2,
            PostgresConnectionString = postgres.ConnectionString,
            BrokerPort = BrokerPort,
            SettleTimeout = TimeSpan.FromMinutes(2),
            DataDirectory = TestFiles.Path($"crash-{Guid.NewGuid():N}"),
        };

        var report = await CrashRun.RunAsync(options, output.WriteLine, CancellationToken.None);
        output.WriteLine(report.ToString());

        foreach (var service in new[] { "orders", "payments", "inventory" })
        {
            Assert.Contains(report.Events, e => e.StartsWith($"kill -9 {service}-", StringComparison.Ordinal));
        }

        Assert.Equal(options.Orders, report.Accepted);
        Assert.Empty(report.Stuck);
        Assert.All(report.PendingOutbox.Values, n => Assert.Equal(0, n));
        Assert.All(report.SetAsideOutbox.Values, n => Assert.Equal(0, n));
        Assert.Empty(report.StockErrors);
        Assert.Empty(report.ChargeErrors);
        Assert.Empty(report.NotificationErrors);
        Assert.Empty(report.TransitionErrors);
        Assert.True(report.TimedOut > 0, "no order timed out: the slow customer's charges did not outlast the payment timeout");
        Assert.True(report.TimeoutsDueWhileDead > 0, "no payment timeout came due while an instance was dead");
        Assert.Empty(report.TimeoutErrors);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public async Task Accepted_orders_whose_service_died_after_its_commit_all_end_and_nothing_is_left_or_applied_twice()
    {
        // Regression (orders stuck in Submitted): the killed Orders stays dead longer than the Gateway's request timeout,
        // so the SubmitOrder it had committed expires in its queue and never comes back to send what the commit stored.
        var options = new CrashRunOptions
        {
            Orders = 60,
            Rate = 6,
            Clients = 4,
            Seed = 16,
            CrashOrdersAfterCommit = 8,
            // A fleet in the middle of its switch to the binary envelope: what the killed Orders stored and its delivery
            // service sends after the restart is MessagePack, read by services on JSON, and Payments' answers back are too.
            MessagePackServices = ["orders", "payments"],
            BrokerPort = BrokerPort,
            SettleTimeout = TimeSpan.FromMinutes(3),
            DataDirectory = TestFiles.Path($"crash-{Guid.NewGuid():N}"),
        };

        var report = await CrashRun.RunAsync(options, output.WriteLine, CancellationToken.None);
        output.WriteLine(report.ToString());

        Assert.Contains(report.Events, e => e.Contains("crash point", StringComparison.Ordinal));
        Assert.Equal(options.Orders, report.Accepted);
        Assert.Empty(report.Stuck);
        Assert.All(report.PendingOutbox.Values, n => Assert.Equal(0, n));
        Assert.All(report.SetAsideOutbox.Values, n => Assert.Equal(0, n));
        Assert.Empty(report.StockErrors);
        Assert.Empty(report.ChargeErrors);
        Assert.Empty(report.NotificationErrors);
        Assert.Empty(report.TransitionErrors);
        Assert.True(report.Passed, report.ToString());
    }
}
