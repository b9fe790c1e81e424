using System.Globalization;
using MicroComms.Host.Crash;
using MicroComms.Testing;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests;

/// <summary>
/// The crash run on a 3-node RabbitMQ cluster (<c>microcomms crash --brokers 3</c>) at a size CI affords: every service a
/// process of its own, each connecting to another node first, quorum queues, and one broker fault while orders flow.
/// The cluster is the run's own, from rabbitmq/start.sh --cluster 3 on <c>MICROCOMMS_RABBITMQ_CLUSTER_PORT</c> and the
/// two ports after it, never the shared broker: started once for the class and stopped after it (each run leaves it running).
/// </summary>
[Trait("Speed", "Slow")]
[Trait("Needs", "Broker")]
public sealed class ClusterCrash_Specs(ITestOutputHelper output) : IClassFixture<ClusterCrash_Specs.Cluster>
{
    private const string PortVariable = "MICROCOMMS_RABBITMQ_CLUSTER_PORT";
    private const int DefaultPort = 5770;

    private static int BrokerPort =>
        Environment.GetEnvironmentVariable(PortVariable) is { Length: > 0 } configured ? int.Parse(configured, CultureInfo.InvariantCulture) : DefaultPort;

    [Fact]
    public async Task Killing_the_node_that_leads_most_queues_loses_no_order_applies_nothing_twice_and_orders_complete_again_after_it()
    {
        var report = await RunAsync(BrokerFault.KillLeader, orders: 150, rate: 5);

        Assert.Contains(report.Events, e => e.StartsWith("kill -9 node ", StringComparison.Ordinal));
        Assert.NotNull(report.Recovery);
        AssertNothingLostOrTwice(report);
    }

    [Fact]
    public async Task A_rolling_restart_of_all_three_nodes_under_load_loses_no_order_and_applies_nothing_twice()
    {
        // A node's graceful stop and start take 15-20 s on an idle machine (most of a minute on a busy one): the orders flow for 90 s.
        var report = await RunAsync(BrokerFault.RollingRestart, orders: 90, rate: 1);

        Assert.Equal(3, report.Events.Count(e => e.StartsWith("rolling restart: stop node ", StringComparison.Ordinal)));
        AssertNothingLostOrTwice(report);
    }

    [Fact]
    public async Task With_one_node_of_three_left_no_order_is_accepted_that_the_cluster_did_not_keep_and_the_services_go_on_by_themselves()
    {
        // Orders keep coming after the nodes are back (about 30 s after the kill), and must complete without a restart.
        var report = await RunAsync(BrokerFault.NoMajority, orders: 150, rate: 3, faultWithin: (0.15, 0.2));

        Assert.Contains(report.Events, e => e.StartsWith("no majority: only ", StringComparison.Ordinal));
        Assert.NotNull(report.Recovery);
        Assert.True(report.DuringFault.Keys.Any(status => status != 202), "the Gateway accepted every order while the cluster had no majority");
        AssertNothingLostOrTwice(report);
    }

    private async Task<CrashReport> RunAsync(BrokerFault fault, int orders, int rate, (double From, double To)? faultWithin = null)
    {
        var options = new CrashRunOptions
        {
            Orders = orders,
            Rate = rate,
            Clients = 4,
            Seed = 19,
            Brokers = 3,
            BrokerFault = fault,
            BrokerPort = BrokerPort,
            SettleTimeout = TimeSpan.FromMinutes(2),
            KeepBrokerRunning = true,
            DataDirectory = TestFiles.Path($"cluster-crash-{Guid.NewGuid():N}"),
        };
        if (faultWithin is { } window)
        {
            options.ClusterFaultWithin = window;
        }

        var report = await CrashRun.RunAsync(options, output.WriteLine, CancellationToken.None);
        output.WriteLine(report.ToString());
        return report;
    }

    /// <summary>Every order answered and accepted ends, nothing waits in a queue (error queues included), every effect once.</summary>
    private static void AssertNothingLostOrTwice(CrashReport report)
    {
        Assert.Equal(0, report.Unanswered);
        Assert.Empty(report.ServiceExits);
        Assert.Empty(report.Stuck);
        Assert.All(report.PendingOutbox.Values, n => Assert.Equal(0, n));
        Assert.Empty(report.Queued);
        Assert.Empty(report.StockErrors);
        Assert.Empty(report.ChargeErrors);
        Assert.Empty(report.NotificationErrors);
        Assert.True(report.Passed, report.ToString());
    }

    /// <summary>The class's cluster: one boot and one stop for the three runs instead of one each.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        private RabbitMqNode? _nodes;

        public async Task InitializeAsync() => _nodes = await RabbitMqNode.StartClusterAsync(BrokerPort);

        public Task DisposeAsync() => _nodes?.StopAsync() ?? Task.CompletedTask;
    }
}
