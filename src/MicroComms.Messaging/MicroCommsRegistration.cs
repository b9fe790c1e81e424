using MassTransit;
using MicroComms.Messaging.Health;
using MicroComms.Messaging.Retry;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Serialization;
using MicroComms.Messaging.Stores;
using MicroComms.Messaging.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging;

public static class MicroCommsRegistration
{
    /// <summary>
    /// Registers the bus with MicroComms' conventions: the transport chosen by <c>MicroComms:Transport</c>,
    /// kebab-case endpoint names, the durable message scheduler (<c>MicroComms:Scheduler</c>, serving
    /// <c>ScheduleSend</c>, saga schedules and delayed redelivery on both transports), the default
    /// redelivery and retry policy on every endpoint (<c>MicroComms:Retry</c>), and whatever
    /// <paramref name="configure"/> registers (each service's <c>x.AddOrders()</c> and the like).
    /// MassTransit's usage telemetry is off.
    /// </summary>
    public static IServiceCollection AddMicroComms(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<IBusRegistrationConfigurator> configure)
    {
        var section = configuration.GetSection(MicroCommsOptions.SectionName);
        services.AddOptions<MicroCommsOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RabbitMqOptions>().Bind(section.GetSection("RabbitMq")).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RabbitMqOptions>, RabbitMqOptionsValidation>());
        services.AddOptions<RetryOptions>().Bind(section.GetSection(RetryOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        var schedulerSection = section.GetSection(SchedulerOptions.SectionName);
        services.AddOptions<SchedulerOptions>().Bind(schedulerSection).ValidateDataAnnotations().ValidateOnStart();
        services.AddMicroCommsScheduler(configuration);
        services.AddBusHealthCheck();

        // The queue name shapes the bus topology, so it is read here; ValidateOnStart still reports a bad one.
        var schedulerQueue = schedulerSection.GetValue(nameof(SchedulerOptions.QueueName), new SchedulerOptions().QueueName);
        var transport = section.GetValue(nameof(MicroCommsOptions.Transport), TransportKind.InMemory);
        var stopTimeout = section.GetValue(nameof(MicroCommsOptions.StopTimeout), new MicroCommsOptions().StopTimeout);
        var serializer = ReadSerializer(section);
        AddBusLifetime(services, transport, stopTimeout);

        services.AddMassTransit(x =>
        {
            AddConventions(x, transport, schedulerQueue);
            configure(x);
            AddTransport(x, transport, new Uri($"queue:{schedulerQueue}"), serializer);
        });
        BoundedBusStop.Replace(services, stopTimeout);

        return services;
    }

    private static void AddBusLifetime(IServiceCollection services, TransportKind transport, TimeSpan stopTimeout)
    {
        if (transport == TransportKind.RabbitMq)
        {
            services.AddHostedService<BrokerStartupCheck>();
            services.AddSingleton<QueueConflictGuard>();
            services.AddReceiveEndpointObserver(sp => sp.GetRequiredService<QueueConflictGuard>());
        }

        // Start-up returns only once every receive endpoint is ready, so nothing published right after
        // start-up is lost to a queue or binding that does not exist yet.
        services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StopTimeout = stopTimeout;
            o.ConsumerStopTimeout = stopTimeout;
        });
    }

    /// <summary>How long a scheduling command waits for a scheduler database that cannot be reached: about two minutes.</summary>
    private const int SchedulerStoreOutageRetries = 40;

    private static readonly TimeSpan SchedulerStoreOutageInterval = TimeSpan.FromSeconds(3);

    /// <summary>Endpoint names, the scheduler's consumer and what every endpoint gets before a service's own policy.</summary>
    private static void AddConventions(IBusRegistrationConfigurator x, TransportKind transport, string schedulerQueue)
    {
        // Closed by default: MassTransit otherwise posts a usage report to its vendor's host a few minutes after start.
        x.DisableUsageTelemetry();
        x.TryAddSingleton<EndpointConcurrency>();
        x.TryAddSingleton<EndpointRetryOverrides>();
        x.SetKebabCaseEndpointNameFormatter();
        x.AddMessageScheduler(new Uri($"queue:{schedulerQueue}"));
        x.AddConsumer<ScheduleMessageConsumer>().Endpoint(e =>
        {
            e.Name = schedulerQueue;

            // Scheduling commands are sent to this queue, never published: without this, every process's scheduler queue
            // would be bound to the shared MassTransit.Scheduling:* exchanges, and a publish there would reach them all
            // (a way around a service's broker permissions into another service's scheduler).
            e.ConfigureConsumeTopology = false;
        });
        x.AddConfigureEndpointsCallback((context, name, endpoint) =>
        {
            if (transport == TransportKind.RabbitMq)
            {
                var broker = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                context.GetRequiredService<EndpointConcurrency>().ApplyDefault(endpoint, broker.ConcurrentMessageLimit);
                if (broker.QueueType == QueueType.Quorum && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    // MassTransit copies the queue's arguments to its _error and _skipped queues, so they are quorum queues too.
                    rabbit.SetQuorumQueue();
                }
            }

            // Outermost, so retries, the inbox and the consumer all log inside the message's scope.
            endpoint.UseFilter(new ConsumeLogScope(context.GetRequiredService<ILoggerFactory>()));
            endpoint.UseFilter(new IncomingMessageRules());
            var retry = context.GetRequiredService<IOptions<RetryOptions>>().Value;
            if (name == schedulerQueue)
            {
                // Redelivering a scheduling command through the scheduler itself would be circular: immediate retries
                // (a busy database), and around them a longer wait while the database cannot be reached at all (a
                // PostgreSQL restart): the command stays unacknowledged in its queue meanwhile. Then the error queue.
                endpoint.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(StoreErrors.IsUnreachable);
                    r.Interval(SchedulerStoreOutageRetries, SchedulerStoreOutageInterval);
                });
                endpoint.UseMessageRetry(r =>
                {
                    // Left to the policy above: a nested policy that had retried it would end the outer one's retries.
                    r.Ignore<Exception>(StoreErrors.IsUnreachable);
                    r.Exponential(retry.ImmediateLimit + 1, retry.MinInterval, retry.MaxInterval, retry.IntervalDelta);
                });
                return;
            }

            // Documented order: redelivery, then retry; the outbox/inbox goes after these.
            endpoint.UseMicroCommsRetry(context, retry);
        });
    }

    /// <summary>Read here because it shapes the bus; a value that is neither envelope stops start-up with one sentence.</summary>
    private static SerializerKind ReadSerializer(IConfigurationSection section)
    {
        var value = section[nameof(MicroCommsOptions.Serializer)];
        if (string.IsNullOrWhiteSpace(value))
        {
            return SerializerKind.Json;
        }

        return Enum.TryParse<SerializerKind>(value, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind
            : throw new InvalidOperationException(
                $"MicroComms:Serializer is '{value}'; set it to Json (MassTransit's JSON envelope, the default) or MessagePack (the binary envelope).");
    }

    private static void AddTransport(IBusRegistrationConfigurator x, TransportKind transport, Uri schedulerAddress, SerializerKind serializer)
    {
        if (transport == TransportKind.RabbitMq)
        {
            x.UsingRabbitMq((context, cfg) =>
            {
                var o = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                var first = o.Nodes()[0];
                cfg.Host(first.Host, (ushort)first.Port, o.VirtualHost, h =>
                {
                    h.Username(o.Username);
                    h.Password(o.Password);
                    h.PublisherConfirmation = true;
                    if (o.Hosts.Count > 0)
                    {
                        // Connects to the nodes in turn, moving on to the next one whenever a connection fails or drops.
                        h.UseCluster(c => o.Nodes().ToList().ForEach(n => c.Node($"{n.Host}:{n.Port}")));
                    }

                    if (o.UseTls)
                    {
                        h.UseSsl(s =>
                        {
                            s.Protocol = BrokerTls.Protocols;
                            s.ServerName = o.ExpectedServerName;
                            s.CertificateValidationCallback = BrokerTls.Validation(o.TlsCaFile);
                        });
                    }
                });
                cfg.PrefetchCount = o.PrefetchCount;
                cfg.UseMicroCommsSerialization(serializer);

                cfg.UseMessageScheduler(schedulerAddress);
                cfg.ConfigureEndpoints(context);
            });
        }
        else
        {
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseMicroCommsSerialization(serializer);
                cfg.UseMessageScheduler(schedulerAddress);
                cfg.ConfigureEndpoints(context);
            });
        }
    }
}
