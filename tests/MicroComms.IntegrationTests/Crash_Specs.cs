using System.Globalization;
using MicroComms.Host.Crash;
using MicroComms.Testing;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests;

/// <summary>
/// The crash run (<c>microcomms crash</c>) at a size CI affords: every service a process of its own on a private node,
/// Orders ending itself right after a SubmitOrder commit (before its sends), kill -9 of Orders and Inventory and a broker
/// stop/start while orders flow. Its node is never the shared broker: its port is <c>MICROCOMMS_RABBITMQ_CRASH_PORT</c>.
/// </summary>
[Trait("Speed", "Slow")]
[Trait("Needs", "Broker")]
public sealed class Crash_Specs(ITestOutputHelper output)
{
    private const string PortVariable = "MICROCOMMS_RABBITMQ_CRASH_PORT";
    private const int DefaultPort = 5760;

    [Fact]
    public async Task Accepted_orders_whose_service_died_after_its_commit_all_end_and_nothing_is_left_or_applied_twice()
    {
        // Regression (orders stuck in Submitted): the killed Orders stays dead longer than the Gateway's request timeout,
        // so the SubmitOrder it had committed expires in its queue and never comes back to send what the commit stored.
        var configured = Environment.GetEnvironmentVariable(PortVariable);
        var options = new CrashRunOptions
        {
            Orders = 60,
            Rate = 6,
            Clients = 4,
            Seed = 16,
            CrashOrdersAfterCommit = 8,
            BrokerPort = string.IsNullOrWhiteSpace(configured) ? DefaultPort : int.Parse(configured, CultureInfo.InvariantCulture),
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
        Assert.True(report.Passed, report.ToString());
    }
}
