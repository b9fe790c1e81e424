using MicroComms.Testing;

namespace MicroComms.IntegrationTests;

/// <summary>The default broker, found or started once for every test in the "broker" collection.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public RabbitMqNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await RabbitMqNode.StartDefaultAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
