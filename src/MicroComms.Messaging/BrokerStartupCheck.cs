using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging;

/// <summary>
/// Before anything else starts, opens one connection to the broker, so that a wrong host, port, virtual
/// host or password stops the process with a sentence a person can act on instead of a retry loop.
/// </summary>
internal sealed class BrokerStartupCheck(IOptions<RabbitMqOptions> options) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var factory = o.ConnectionFactory(o.Username, o.Password);
        try
        {
            await using var connection = await factory.CreateConnectionAsync(o.Endpoints(), "microcomms-startup-check", cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new BrokerUnreachableException(
                $"RabbitMQ is not reachable at {o.Describe()} (virtual host '{o.VirtualHost}', user '{o.Username}'): "
                + $"{ex.GetBaseException().Message}. Start the local broker with 'rabbitmq/start.sh' "
                + "(install it first with 'rabbitmq/install.sh'), or set MicroComms:RabbitMq:Host/Port (or Hosts)/VirtualHost/Username/Password.",
                ex);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
