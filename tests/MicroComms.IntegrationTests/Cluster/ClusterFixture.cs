using System.Globalization;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests.Cluster;

/// <summary>
/// A private 3-node cluster on loopback that the cluster specs may kill nodes of: formed once for the class, stopped
/// after it. Never the shared broker. Its nodes are on <c>MICROCOMMS_RABBITMQ_CLUSTER_PORT</c> and the two ports above it,
/// so two checkouts on one machine can each have one.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string PortVariable = "MICROCOMMS_RABBITMQ_CLUSTER_PORT";

    /// <summary>5771-5773: clear of the default node, the outage and crash nodes and their management and Prometheus ports.</summary>
    private const int DefaultPort = 5771;

    public RabbitMqNode Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(PortVariable);
        var port = string.IsNullOrWhiteSpace(configured) ? DefaultPort : int.Parse(configured, CultureInfo.InvariantCulture);
        Cluster = await RabbitMqNode.StartClusterAsync(port);
    }

    public Task DisposeAsync() => Cluster.StopAsync();
}
