using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Health;

/// <summary>
/// The readiness checks that come with a database: <c>&lt;name&gt;-store</c> (the store answers a query) and, for a
/// database with an outbox, <c>&lt;name&gt;-outbox</c> (<see cref="OutboxBacklogHealthCheck{TDbContext}"/>). The outbox
/// registration and the scheduler's add them, so every process that has a database reports on it; MassTransit adds
/// the bus's own check (<c>masstransit-bus</c>). Nothing maps an endpoint here: the Host does (<c>/health/ready</c>).
/// </summary>
internal static class StoreHealthChecks
{
    public static IServiceCollection AddStoreHealthChecks<TDbContext>(this IServiceCollection services, bool outbox)
        where TDbContext : DbContext
    {
        AddOptions(services);
        var name = NameOf<TDbContext>();
        var checks = services.AddHealthChecks();

        // A query, not DbContext.CanConnectAsync: a failure then carries the store's own words (host, port, file) as its reason.
        checks.AddDbContextCheck<TDbContext>(
            $"{name}-store",
            HealthStatus.Unhealthy,
            [HealthTags.Ready],
            async (db, ct) =>
            {
                await db.Database.ExecuteSqlRawAsync("SELECT 1", ct);
                return true;
            });
        if (outbox)
        {
            checks.AddCheck<OutboxBacklogHealthCheck<TDbContext>>($"{name}-outbox", HealthStatus.Unhealthy, [HealthTags.Ready]);
        }

        return services;
    }

    /// <summary>"OrdersDbContext" → "orders".</summary>
    internal static string NameOf<TDbContext>()
    {
        var type = typeof(TDbContext).Name;
        const string suffix = "DbContext";
        return (type.EndsWith(suffix, StringComparison.Ordinal) && type.Length > suffix.Length ? type[..^suffix.Length] : type)
            .ToLowerInvariant();
    }

    private static void AddOptions(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(IPostConfigureOptions<HealthCheckServiceOptions>)
                              && d.ImplementationType == typeof(BoundChecks)))
        {
            return;
        }

        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IPostConfigureOptions<HealthCheckServiceOptions>, BoundChecks>();
    }

    /// <summary>Every check without a timeout of its own (MassTransit's too) gets <see cref="HealthOptions.CheckTimeout"/>.</summary>
    private sealed class BoundChecks(IOptions<HealthOptions> options) : IPostConfigureOptions<HealthCheckServiceOptions>
    {
        public void PostConfigure(string? name, HealthCheckServiceOptions checks)
        {
            foreach (var registration in checks.Registrations.Where(r => r.Timeout == Timeout.InfiniteTimeSpan))
            {
                registration.Timeout = options.Value.CheckTimeout;
            }
        }
    }
}
