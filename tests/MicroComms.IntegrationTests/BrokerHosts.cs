using MicroComms.Testing;

namespace MicroComms.IntegrationTests;

/// <summary>Settings for <see cref="MicroCommsTestHost"/> against the test broker.</summary>
internal static class BrokerHosts
{
    /// <summary>RabbitMQ in <paramref name="virtualHost"/>, short retry intervals, the scheduler on its own SQLite file.</summary>
    public static Dictionary<string, string?> Settings(RabbitMqNode node, string virtualHost, string schedulerDb)
    {
        var settings = MicroCommsTestHost.WithFastRetries(node.Settings(virtualHost), schedulerDb);
        settings["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:01";
        settings["MicroComms:Retry:RedeliveryIntervals:1"] = "00:00:01";
        return settings;
    }
}
