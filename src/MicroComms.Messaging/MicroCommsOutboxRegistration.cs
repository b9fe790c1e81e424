using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging;

public static class SqliteOutboxRegistration
{
    /// <summary>
    /// The transactional outbox and inbox on <typeparamref name="TDbContext"/> (whose model calls
    /// <see cref="OutboxModelBuilderExtensions.AddMicroCommsOutbox"/>). Apply it to endpoints with
    /// <see cref="UseSqliteOutbox{TDbContext}"/> or <see cref="UseSqliteOutboxOnEndpoints{TDbContext}"/>;
    /// <see cref="SqliteOutboxOptions.UseBusOutbox"/> adds the bus outbox and its delivery service.
    /// </summary>
    public static IBusRegistrationConfigurator AddSqliteOutbox<TDbContext>(
        this IBusRegistrationConfigurator x,
        Action<SqliteOutboxOptions>? configure = null)
        where TDbContext : DbContext
    {
        // Which services to register is decided by the code; the values can still come from configuration.
        var declared = new SqliteOutboxOptions();
        configure?.Invoke(declared);

        var name = OptionsName<TDbContext>();
        x.AddOptions<SqliteOutboxOptions>(name)
            .Configure(o => configure?.Invoke(o))
            .BindConfiguration(SqliteOutboxOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        x.AddOptions<CrashPointOptions>().BindConfiguration(CrashPointOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        x.TryAddSingleton<CrashPoint>();
        x.TryAddSingleton<SqliteGroupCommit<TDbContext>>();
        x.TryAddSingleton<InboxDeliveredMarks<TDbContext>>();
        x.ConfigureDbContext<TDbContext>((sp, o) =>
            o.AddInterceptors(DeferredSaveChangesInterceptor.Instance, sp.GetRequiredService<SqliteGroupCommit<TDbContext>>()), ServiceLifetime.Singleton);
        x.TryAddScoped<IOutboxContextFactory<TDbContext>, SqliteOutboxContextFactory<TDbContext>>();
        x.TryAddSingleton<IOutboxLeaseStore, SqliteOutboxLeaseStore>();
        x.AddSingleton<InboxCleanupService<TDbContext>>();
        x.AddHostedService(sp => sp.GetRequiredService<InboxCleanupService<TDbContext>>());

        x.TryAddSingleton<IBusOutboxNotification>(sp =>
            new OutboxDeliverySignal(sp.GetRequiredService<IOptionsMonitor<SqliteOutboxOptions>>().Get(name).QueryDelay));
        if (declared.BusOutbox)
        {
            x.ReplaceScoped<IScopedBusContextProvider<IBus>, SqliteScopedBusContextProvider<TDbContext>>();
        }

        // Also without the bus outbox: it delivers what consumers committed and did not send (their process died).
        if (declared.DeliveryService)
        {
            x.TryAddSingleton<OutboxHandOff<TDbContext>>();
            x.AddSingleton<OutboxDeliveryService<TDbContext>>();
            x.AddHostedService(sp => sp.GetRequiredService<OutboxDeliveryService<TDbContext>>());
        }

        return x;
    }

    /// <summary>
    /// Puts the consumer outbox and inbox on every consumer and saga of this endpoint (or those
    /// <paramref name="appliesTo"/> accepts) except <see cref="ReadOnlyConsumerAttribute"/> ones, and the outbox's
    /// concurrency default (<see cref="SqliteOutboxOptions.ConcurrentMessageLimit"/>) on the endpoint once one of them is
    /// configured there. Call before the consumers are configured on the endpoint.
    /// </summary>
    public static void UseSqliteOutbox<TDbContext>(
        this IReceiveEndpointConfigurator endpoint,
        IRegistrationContext context,
        Func<Type, bool>? appliesTo = null)
        where TDbContext : DbContext
    {
        var options = context.GetRequiredService<IOptionsMonitor<SqliteOutboxOptions>>().Get(OptionsName<TDbContext>());
        var observer = new OutboxConsumePipeSpecificationObserver<TDbContext>(endpoint, context)
        {
            MessageDeliveryLimit = options.MessageDeliveryLimit,
            MessageDeliveryTimeout = options.MessageDeliveryTimeout,
        };
        var filtered = new FilteredOutboxObserver(observer, t => !ReadOnlyConsumerAttribute.IsOn(t) && (appliesTo?.Invoke(t) ?? true),
            () => EndpointConcurrency.ApplyOutboxDefault(endpoint, options.ConcurrentMessageLimit));
        endpoint.ConnectConsumerConfigurationObserver(filtered);
        endpoint.ConnectSagaConfigurationObserver(filtered);
    }

    /// <summary>
    /// Convention: the outbox on every endpoint configured by <c>ConfigureEndpoints</c>, for the consumers and sagas
    /// <paramref name="appliesTo"/> accepts (all when null, i.e. when the service has one DbContext).
    /// </summary>
    public static IBusRegistrationConfigurator UseSqliteOutboxOnEndpoints<TDbContext>(
        this IBusRegistrationConfigurator x,
        Func<Type, bool>? appliesTo = null)
        where TDbContext : DbContext
    {
        x.AddConfigureEndpointsCallback((context, _, endpoint) =>
        {
            if (endpoint is IReceiveEndpointConfigurator receive)
            {
                receive.UseSqliteOutbox<TDbContext>(context, appliesTo);
            }
        });
        return x;
    }

    /// <summary>The convention limited to consumers and sagas declared in the assembly of <typeparamref name="TMarker"/>.</summary>
    public static IBusRegistrationConfigurator UseSqliteOutboxOnEndpointsOf<TDbContext, TMarker>(this IBusRegistrationConfigurator x)
        where TDbContext : DbContext =>
        x.UseSqliteOutboxOnEndpoints<TDbContext>(t => t.Assembly == typeof(TMarker).Assembly);

    internal static string OptionsName<TDbContext>() => typeof(TDbContext).FullName ?? typeof(TDbContext).Name;
}
