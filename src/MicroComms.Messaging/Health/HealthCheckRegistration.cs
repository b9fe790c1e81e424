using MassTransit;
using MassTransit.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Health;

/// <summary>
/// The readiness checks (tag <see cref="HealthTags.Ready"/>): <c>bus</c> (<see cref="BusHealthCheck"/>), and with each
/// database <c>&lt;name&gt;-store</c> (the store answers a query) and, where it has an outbox, <c>&lt;name&gt;-outbox</c>
/// (<see cref="OutboxBacklogHealthCheck{TDbContext}"/>). AddMicroComms, the scheduler's registration and the outbox
/// registration add them, so every process reports on what it has. Nothing maps an endpoint here: the Host does
/// (<c>/health/ready</c>).
/// </summary>
internal static class HealthCheckRegistration
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

    /// <summary>
    /// The bus's readiness (<see cref="BusHealthCheck"/>) in place of MassTransit's own check, which stays registered
    /// under its <c>masstransit</c> tag for anyone who wants it. <see cref="MicroCommsRegistration.AddMicroComms"/> calls it.
    /// </summary>
    public static IServiceCollection AddBusHealthCheck(this IServiceCollection services)
    {
        AddOptions(services);
        services.AddOptions<MassTransitHealthCheckOptions<IBus>>().Configure(o => o.Tags.Add("masstransit"));
        services.AddHealthChecks().AddCheck<BusHealthCheck>(BusHealthCheck.Name, HealthStatus.Unhealthy, [HealthTags.Ready]);
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
