using MicroComms.Testing;
using RabbitMQ.Client;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>The broker and settings a scenario runs with; virtual hosts it creates are deleted after it.</summary>
public sealed class BenchContext(RabbitMqNode node, BenchSettings settings)
{
    private readonly List<string> _virtualHosts = [];

    public RabbitMqNode Node { get; } = node;

    public BenchSettings Settings { get; } = settings;

    /// <summary>A fresh virtual host, so no scenario sees another's queues or leftovers.</summary>
    public async Task<string> CreateVirtualHostAsync(string scenario)
    {
        var vhost = await Node.CreateVirtualHostAsync("bench-" + scenario);
        _virtualHosts.Add(vhost);
        return vhost;
    }

    public ConnectionFactory ConnectionFactory(string virtualHost)
    {
        var factory = Node.ConnectionFactory(virtualHost);
        factory.AutomaticRecoveryEnabled = false;
        return factory;
    }

    public Uri AmqpUri(string virtualHost) => new(
        $"amqp://{Uri.EscapeDataString(Node.Username)}:{Uri.EscapeDataString(Node.Password)}@{Node.Host}:{Node.Port}/{Uri.EscapeDataString(virtualHost)}");

    public async Task DeleteVirtualHostsAsync()
    {
        foreach (var vhost in _virtualHosts)
        {
            await Node.DeleteVirtualHostAsync(vhost);
        }

        _virtualHosts.Clear();
    }
}
