using MicroComms.Testing;

namespace MicroComms.IntegrationTests.Cluster;

/// <summary>
/// A private 3-node cluster on loopback that the cluster specs may kill nodes of (<see cref="RabbitMqNode.StartDefaultClusterAsync"/>:
/// <c>MICROCOMMS_RABBITMQ_CLUSTER_PORT</c> and the two ports above it): formed once for the <see cref="ClusterCollection"/>,
/// stopped after it.
/// Never the shared broker.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public RabbitMqNode Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await RabbitMqNode.StartDefaultClusterAsync();

    public Task DisposeAsync() => Cluster.StopAsync();
}
