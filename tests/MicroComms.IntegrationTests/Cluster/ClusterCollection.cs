namespace MicroComms.IntegrationTests.Cluster;

/// <summary>
/// The specs that need the default 3-node cluster: it is formed once for all of them and stopped after the last (forming
/// one takes 30-40 s on two cores, stopping it 20 s), the benchmark's smoke run included, whose cluster rows then find it
/// running and leave it so.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
