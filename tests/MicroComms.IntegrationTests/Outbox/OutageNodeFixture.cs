using System.Globalization;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests.Outbox;

/// <summary>
/// A private node that the outage specs stop and start again: started once for the class, stopped after it. Never the
/// shared broker. Its port is <c>MICROCOMMS_RABBITMQ_OUTAGE_PORT</c>, so two checkouts on one machine can each have one.
/// </summary>
public sealed class OutageNodeFixture : IAsyncLifetime
{
    public const string PortVariable = "MICROCOMMS_RABBITMQ_OUTAGE_PORT";
    private const int DefaultPort = 5745;

    public RabbitMqNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(PortVariable);
        var port = string.IsNullOrWhiteSpace(configured) ? DefaultPort : int.Parse(configured, CultureInfo.InvariantCulture);
        Node = await RabbitMqNode.StartAsync(port);
    }

    public Task DisposeAsync() => Node.StopAsync();
}
