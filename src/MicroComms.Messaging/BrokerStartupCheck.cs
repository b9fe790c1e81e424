using System.Security.Authentication;
using MicroComms.Messaging.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace MicroComms.Messaging;

/// <summary>
/// Before anything else starts, opens one connection to the broker, so that a wrong host, port, virtual
/// host or password stops the process with a sentence a person can act on instead of a retry loop; and checks that the
/// user may use the scheduler queue, the one queue every process declares, so that a service's own user with another
/// service's (or the shared) scheduler queue does the same instead of the bus retrying a refused declaration for ever.
/// </summary>
internal sealed class BrokerStartupCheck(IOptions<RabbitMqOptions> options, IOptions<SchedulerOptions> scheduler) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var factory = o.ConnectionFactory(o.Username, o.Password);
        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(o.Endpoints(), "microcomms-startup-check", cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var where = $"RabbitMQ is not reachable at {o.Describe()} (virtual host '{o.VirtualHost}', user '{o.Username}'{(o.UseTls ? ", TLS" : "")}): ";
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
                + "(install it first with 'rabbitmq/install.sh'), or set MicroComms:RabbitMq:Host/Port (or Hosts)/VirtualHost/Username/Password"
                + (o.UseTls ? " (and Port to the broker's TLS listener)." : "."),
                ex);
        }

        await using (connection)
        {
            await CheckSchedulerQueueAsync(connection, o, cancellationToken);
        }
    }

    /// <summary>
    /// Declares the scheduler queue's exchange as the bus is about to (a fanout exchange named like the queue, durable, no
    /// arguments): that takes the configure right on the queue's name, which is what a user without it lacks.
    /// </summary>
    private async Task CheckSchedulerQueueAsync(IConnection connection, RabbitMqOptions o, CancellationToken cancellationToken)
    {
        var queue = scheduler.Value.QueueName;
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == AccessRefused)
        {
            throw new BrokerUnreachableException(
                $"RabbitMQ refused user '{o.Username}' the scheduler queue '{queue}' (virtual host '{o.VirtualHost}'): a service that runs as "
                + "its own broker user has a scheduler queue of its own. Set MicroComms:Scheduler:QueueName to microcomms-scheduler-<service> "
                + "(and give the service its own scheduler database), or connect as the user whose permissions include it.",
                ex);
        }
    }

    private const int AccessRefused = 403;

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
