using System.Globalization;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests.Security;

/// <summary>
/// A private node that also listens for AMQPS, with the certificate rabbitmq/make-cert.sh makes: started once for the
/// class, stopped after it. Its AMQPS port is <c>MICROCOMMS_RABBITMQ_TLS_PORT</c>, its plain AMQP port the next one up.
/// </summary>
public sealed class TlsNodeFixture : IAsyncLifetime
{
    public const string PortVariable = "MICROCOMMS_RABBITMQ_TLS_PORT";
    private const int DefaultTlsPort = 5735;

    public RabbitMqNode Node { get; private set; } = null!;

    public int TlsPort { get; private set; }

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(PortVariable);
        TlsPort = string.IsNullOrWhiteSpace(configured) ? DefaultTlsPort : int.Parse(configured, CultureInfo.InvariantCulture);
        Node = await RabbitMqNode.StartAsync(TlsPort + 1, TlsPort);
    }

    public Task DisposeAsync() => Node.StopAsync();
}
