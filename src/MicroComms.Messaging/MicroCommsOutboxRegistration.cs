using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Health;
using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Sqlite;
using MicroComms.Messaging.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging;

public static class MicroCommsOutboxRegistration
{
    /// <summary>
    /// The outbox of a service whose database is <typeparamref name="TDbContext"/> (its model calls
    /// <see cref="OutboxModelBuilderExtensions.AddMicroCommsOutbox"/>): the consumer outbox and inbox on the endpoints
    /// of every consumer and saga declared in <typeparamref name="TDbContext"/>'s assembly, except
    /// <see cref="ReadOnlyConsumerAttribute"/> ones, and the delivery service for rows whose inbound message never
    /// came back. <see cref="MicroCommsOutboxOptions.UseBusOutbox"/> adds the bus outbox (publishing outside a consumer).
    /// </summary>
    public static IBusRegistrationConfigurator AddMicroCommsOutbox<TDbContext>(
        this IBusRegistrationConfigurator x,
        Action<MicroCommsOutboxOptions>? configure = null)
        where TDbContext : DbContext =>
        x.AddMicroCommsOutbox<TDbContext>(t => t.Assembly == typeof(TDbContext).Assembly, configure);

    /// <summary>
    /// The outbox on the consumers and sagas <paramref name="appliesTo"/> accepts, for a process that hosts several
    /// databases or consumers that must stay outside the outbox (tests, the benchmark).
    /// </summary>
    public static IBusRegistrationConfigurator AddMicroCommsOutbox<TDbContext>(
        this IBusRegistrationConfigurator x,
        Func<Type, bool> appliesTo,
        Action<MicroCommsOutboxOptions>? configure = null)
        where TDbContext : DbContext
    {
        // Which services to register is decided by the code; the values can still come from configuration.
        var declared = new MicroCommsOutboxOptions();
        configure?.Invoke(declared);

        var name = OptionsName<TDbContext>();
        x.AddOptions<MicroCommsOutboxOptions>(name)
            .Configure(o => configure?.Invoke(o))
            .BindConfiguration(MicroCommsOutboxOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        x.AddOptions<CrashPointOptions>().BindConfiguration(CrashPointOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        x.TryAddSingleton<CrashPoint>();
        x.AddMicroCommsMetrics();
        x.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreGauges, OutboxGauges<TDbContext>>());
        x.TryAddSingleton<EndpointConcurrency>();
        x.TryAddSingleton<SqliteGroupCommit<TDbContext>>();
        x.TryAddSingleton<InboxDeliveredMarks<TDbContext>>();
        x.ConfigureDbContext<TDbContext>((sp, o) =>
            DeferredSaveChangesInterceptor.Install(o).AddInterceptors(sp.GetRequiredService<SqliteGroupCommit<TDbContext>>()), ServiceLifetime.Singleton);
        x.TryAddScoped<IOutboxContextFactory<TDbContext>, EfCoreOutboxContextFactory<TDbContext>>();
        x.TryAddSingleton<IOutboxLeaseStore, OutboxLeaseStore>();
        x.AddSingleton<InboxCleanupService<TDbContext>>();
        x.AddHostedService(sp => sp.GetRequiredService<InboxCleanupService<TDbContext>>());

        x.TryAddSingleton<IBusOutboxNotification>(sp =>
            new OutboxDeliverySignal(sp.GetRequiredService<IOptionsMonitor<MicroCommsOutboxOptions>>().Get(name).QueryDelay));
        if (declared.BusOutbox)
        {
            x.ReplaceScoped<IScopedBusContextProvider<IBus>, OutboxScopedBusContextProvider<TDbContext>>();
        }

        // Also without the bus outbox: it delivers what consumers committed and did not send (their process died).
        // Registered either way so tests and operators can drive passes; it runs by itself only as a hosted service.
        x.TryAddSingleton<OutboxHandOff<TDbContext>>();
        x.AddSingleton<OutboxDeliveryService<TDbContext>>();
        if (declared.DeliveryService)
        {
            x.AddHostedService(sp => sp.GetRequiredService<OutboxDeliveryService<TDbContext>>());
        }

        // /health/ready: this database answers and its outbox is not stuck.
        x.AddStoreHealthChecks<TDbContext>(outbox: true);

        x.AddConfigureEndpointsCallback((context, _, endpoint) =>
        {
            if (endpoint is IReceiveEndpointConfigurator receive)
            {
                receive.UseMicroCommsOutbox<TDbContext>(context, appliesTo);
            }
        });
        return x;
    }

    /// <summary>
    /// Puts the consumer outbox and inbox on every consumer and saga of this endpoint that <paramref name="appliesTo"/>
    /// accepts, and the outbox's concurrency default (<see cref="MicroCommsOutboxOptions.ConcurrentMessageLimit"/>) on
    /// the endpoint once one of them is configured there. Runs before the consumers are configured on the endpoint.
    /// </summary>
    private static void UseMicroCommsOutbox<TDbContext>(
        this IReceiveEndpointConfigurator endpoint,
        IRegistrationContext context,
        Func<Type, bool> appliesTo)
        where TDbContext : DbContext
    {
        var options = context.GetRequiredService<IOptionsMonitor<MicroCommsOutboxOptions>>().Get(OptionsName<TDbContext>());
        var observer = new OutboxConsumePipeSpecificationObserver<TDbContext>(endpoint, context)
        {
            MessageDeliveryLimit = options.MessageDeliveryLimit,
            MessageDeliveryTimeout = options.MessageDeliveryTimeout,
        };
        var filtered = new FilteredOutboxObserver(observer, t => !ReadOnlyConsumerAttribute.IsOn(t) && appliesTo(t),
            () => context.GetRequiredService<EndpointConcurrency>().ApplyOutboxDefault(endpoint, options.ConcurrentMessageLimit));
        endpoint.ConnectConsumerConfigurationObserver(filtered);
        endpoint.ConnectSagaConfigurationObserver(filtered);
    }

    internal static string OptionsName<TDbContext>() => typeof(TDbContext).FullName ?? typeof(TDbContext).Name;
}
