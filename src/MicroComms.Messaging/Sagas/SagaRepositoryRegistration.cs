using System.Reflection;
using System.Runtime.ExceptionServices;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using MicroComms.Messaging.Stores;
using MicroComms.Messaging.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Sagas;

public static class SagaRepositoryRegistration
{
    private static readonly MethodInfo TypedRegistration = typeof(SagaRepositoryRegistration)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == nameof(DbContextRepository) && m.GetGenericArguments().Length == 2);

    /// <summary>
    /// Persists the saga in <typeparamref name="TDbContext"/> (map it with
    /// <see cref="SagaStateModelBuilderExtensions.AddSagaState{TSaga}"/>), with optimistic concurrency on
    /// <see cref="ISagaVersion.Version"/>: <c>x.AddSagaStateMachine&lt;SM, S&gt;().DbContextRepository&lt;OrdersDbContext&gt;()</c>.
    /// A lost race throws <see cref="SagaConcurrencyException"/>; the saga's endpoint must retry it, so call
    /// <see cref="UseSagaConcurrencyRetry(IReceiveEndpointConfigurator, IRegistrationContext)"/> in the saga's Definition.
    /// </summary>
    /// <remarks>
    /// C# cannot infer the saga type while the DbContext type is given explicitly, so this overload reads the saga
    /// type from the configurator and calls <see cref="DbContextRepository{TSaga, TDbContext}"/>.
    /// </remarks>
    public static ISagaRegistrationConfigurator DbContextRepository<TDbContext>(this ISagaRegistrationConfigurator configurator)
        where TDbContext : DbContext
    {
        var sagaType = configurator.GetType().GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ISagaRegistrationConfigurator<>))
            .Select(i => i.GetGenericArguments()[0])
            .Single();
        if (!typeof(ISagaVersion).IsAssignableFrom(sagaType))
        {
            throw new InvalidOperationException(
                $"Saga {sagaType.Name} must implement {nameof(ISagaVersion)} (an int Version property) to use the SQLite saga repository: "
                + "the version column is what detects concurrent updates.");
        }

        try
        {
            return (ISagaRegistrationConfigurator)TypedRegistration.MakeGenericMethod(sagaType, typeof(TDbContext)).Invoke(null, [configurator])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    /// <inheritdoc cref="DbContextRepository{TDbContext}(ISagaRegistrationConfigurator)"/>
    public static ISagaRegistrationConfigurator<TSaga> DbContextRepository<TSaga, TDbContext>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISagaVersion
        where TDbContext : DbContext
    {
        return configurator.Repository(r =>
        {
            r.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>, DbContextSagaRepositoryContextFactory<TDbContext, TSaga>>();
            r.RegisterQuerySagaRepository<TSaga, DbContextSagaRepositoryContextFactory<TDbContext, TSaga>>();
            r.RegisterLoadSagaRepository<TSaga, DbContextSagaRepositoryContextFactory<TDbContext, TSaga>>();
            r.AddSagaConcurrencyOptions();
            r.AddMicroCommsMetrics();
            r.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreGauges, SagaStateGauges<TSaga, TDbContext>>());
        });
    }

    /// <summary>
    /// Retries messages whose saga write lost an optimistic-concurrency race, with the policy from
    /// <c>MicroComms:Sagas</c>. Call it in the saga's Definition (<c>ConfigureSaga</c>). It is endpoint-level
    /// retry, so it wraps the consumer outbox and the saga repository: each attempt gets a fresh transaction,
    /// reloads the instance and re-runs the event against the state that won.
    /// </summary>
    public static void UseSagaConcurrencyRetry(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context) =>
        endpoint.UseSagaConcurrencyRetry(context.GetRequiredService<IOptions<SagaConcurrencyOptions>>().Value);

    public static void UseSagaConcurrencyRetry(this IReceiveEndpointConfigurator endpoint, SagaConcurrencyOptions options)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Exponential(options.RetryLimit, options.MinInterval, options.MaxInterval, options.IntervalDelta);
            r.Handle<SagaConcurrencyException>();

            // Under the consumer outbox the repository's writes are deferred to the outbox's commit, so a lost race
            // surfaces there instead: the version check tripped, or a new instance that another message inserted first.
            r.Handle<DbUpdateConcurrencyException>();
            r.Handle<DbUpdateException>(ex => StoreErrors.IsDuplicateKey(ex) && ex.Entries.Any(e => e.Entity is ISagaVersion));
        });
    }

    private static void AddSagaConcurrencyOptions(this IServiceCollection services)
    {
        // Configuration is optional so that bare service collections (unit tests) get the defaults.
        services.AddOptions<SagaConcurrencyOptions>()
            .Configure<IServiceProvider>((options, provider) =>
                provider.GetService<IConfiguration>()?.GetSection(SagaConcurrencyOptions.SectionName).Bind(options))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}
