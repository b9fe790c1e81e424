using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Sagas;

public static class SqliteSagaRepositoryRegistration
{
    extension<TSaga>(ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISagaVersion
    {
        /// <summary>
        /// Persists the saga in <typeparamref name="TDbContext"/> (map it with
        /// <see cref="SagaStateModelBuilderExtensions.AddSagaState{TSaga}"/>), with optimistic concurrency on
        /// <see cref="ISagaVersion.Version"/>: <c>x.AddSagaStateMachine&lt;SM, S&gt;().SqliteRepository&lt;OrdersDbContext&gt;()</c>.
        /// A lost race throws <see cref="SagaConcurrencyException"/>; the saga's endpoint must retry it, so call
        /// <see cref="UseSagaConcurrencyRetry(IReceiveEndpointConfigurator, IRegistrationContext)"/> in the saga's Definition.
        /// </summary>
        public ISagaRegistrationConfigurator<TSaga> SqliteRepository<TDbContext>()
            where TDbContext : DbContext
        {
            return configurator.Repository(r =>
            {
                r.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>, SqliteSagaRepositoryContextFactory<TDbContext, TSaga>>();
                r.RegisterQuerySagaRepository<TSaga, SqliteSagaRepositoryContextFactory<TDbContext, TSaga>>();
                r.RegisterLoadSagaRepository<TSaga, SqliteSagaRepositoryContextFactory<TDbContext, TSaga>>();
                r.AddSagaConcurrencyOptions();
            });
        }
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

            // Raised when a later SaveChanges in the same scope (the outbox's) trips the version check.
            r.Handle<DbUpdateConcurrencyException>();
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
