using System.Globalization;

namespace MicroComms.Host.Crash;

/// <summary>
/// The broker of a crash run, from the repository's rabbitmq/ scripts: one private node on <paramref name="firstPort"/>, or
/// a cluster of <paramref name="nodes"/> on the ports from there on (<c>start.sh --cluster N</c>). What the run asks of
/// the broker as a whole (a virtual host, queue depths) goes to the first node that answers, as a node may be down.
/// </summary>
internal sealed class RunBroker(string rabbitmqDirectory, int firstPort, int nodes)
{
    public IReadOnlyList<BrokerScripts> Nodes { get; } =
        [.. Enumerable.Range(firstPort, nodes).Select(port => new BrokerScripts(rabbitmqDirectory, port))];

    public bool IsCluster => Nodes.Count > 1;

    public Task StartAsync(CancellationToken ct) => IsCluster ? Nodes[0].StartClusterAsync(Nodes.Count, ct) : Nodes[0].StartAsync(ct);

    public Task StopAsync(CancellationToken ct) => IsCluster ? Nodes[0].StopClusterAsync(Nodes.Count, ct) : Nodes[0].StopAsync(ct);

    /// <summary>
    /// The nodes as <c>MicroComms:RabbitMq:Hosts</c> for the <paramref name="index"/>th process, starting at a different
    /// node for each, so the services' connections (and the queues they declare first) spread over the cluster.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> HostsSettings(int index) =>
        Enumerable.Range(0, Nodes.Count).Select(i => new KeyValuePair<string, string>(
            $"MicroComms__RabbitMq__Hosts__{i.ToString(CultureInfo.InvariantCulture)}",
            $"127.0.0.1:{Nodes[(index + i) % Nodes.Count].Port.ToString(CultureInfo.InvariantCulture)}"));

    public Task CreateVirtualHostAsync(string name, string user, bool quorum, CancellationToken ct) =>
        OnAnyNodeAsync(async n =>
        {
            await n.CreateVirtualHostAsync(name, user, quorum, ct);
            return true;
        });

    public Task DeleteVirtualHostAsync(string name, CancellationToken ct) =>
        OnAnyNodeAsync(async n =>
        {
            await n.DeleteVirtualHostAsync(name, ct);
            return true;
        });

    public Task<Dictionary<string, int>> QueueDepthsAsync(string virtualHost, CancellationToken ct) =>
        OnAnyNodeAsync(n => n.QueueDepthsAsync(virtualHost, ct));

    /// <summary>The node that leads (quorum) or holds (classic) most queues of <paramref name="virtualHost"/>, with its count.</summary>
    public async Task<(BrokerScripts Node, int Queues, int Of)> BusiestNodeAsync(string virtualHost, CancellationToken ct)
    {
        var queues = await OnAnyNodeAsync(n => n.QueueNodesAsync(virtualHost, ct));
        var busiest = Nodes.Select(n => (Node: n, Queues: queues.Values.Count(v => v == n.NodeName)))
            .OrderByDescending(x => x.Queues).First();
        return (busiest.Node, busiest.Queues, queues.Count);
    }

    private async Task<T> OnAnyNodeAsync<T>(Func<BrokerScripts, Task<T>> action)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await action(Nodes[i]);
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException && i < Nodes.Count - 1)
            {
                // That node is down (killed or stopped by the run): ask the next one.
            }
        }
    }
}
