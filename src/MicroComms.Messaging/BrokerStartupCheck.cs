using System.Security.Authentication;
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
            await using var connection = await factory.CreateConnectionAsync("microcomms-startup-check", cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var where = $"RabbitMQ is not reachable at {o.Host}:{o.Port} (virtual host '{o.VirtualHost}', user '{o.Username}'{(o.UseTls ? ", TLS" : "")}): ";
            if (o.UseTls && Find<AuthenticationException>(ex) is { } tls)
            {
                throw new BrokerUnreachableException(
                    where + $"the TLS handshake failed ({tls.Message}). The broker's certificate must be for '{o.ExpectedServerName}' "
                    + "(MicroComms:RabbitMq:TlsServerName) and signed by an authority this machine trusts or the one "
                    + $"MicroComms:RabbitMq:TlsCaFile names ({(string.IsNullOrWhiteSpace(o.TlsCaFile) ? "unset" : o.TlsCaFile)}).",
                    ex);
            }

            throw new BrokerUnreachableException(
                where + $"{ex.GetBaseException().Message}. Start the local broker with 'rabbitmq/start.sh' "
                + "(install it first with 'rabbitmq/install.sh'), or set MicroComms:RabbitMq:Host/Port/VirtualHost/Username/Password"
                + (o.UseTls ? " (and Port to the broker's TLS listener)." : "."),
                ex);
        }
    }

    /// <summary>The first <typeparamref name="T"/> among <paramref name="ex"/> and its inner exceptions (RabbitMQ.Client nests them in aggregates).</summary>
    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        return ex switch
        {
            null => null,
            T found => found,
            AggregateException all => all.InnerExceptions.Select(Find<T>).FirstOrDefault(e => e is not null),
            _ => Find<T>(ex.InnerException),
        };
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
