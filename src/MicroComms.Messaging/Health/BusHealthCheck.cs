using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MicroComms.Messaging.Health;

/// <summary>
/// <c>bus</c>: Unhealthy unless the bus is started and every receive endpoint is consuming. MassTransit's own check
/// (<c>masstransit-bus</c>, kept under the <c>masstransit</c> tag only) calls a bus Unhealthy only when all of its
/// endpoints are unhappy, and counts the reply endpoint that was never started as healthy: with the broker gone, a
/// service's every queue faulted and it still answered Degraded, i.e. 200 to a readiness probe (seen here; upstream
/// #2159, #3559). A service with one faulted queue does not do that queue's work either, so one is enough.
/// </summary>
internal sealed class BusHealthCheck(IBusControl bus) : IHealthCheck
{
    public const string Name = "bus";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        var endpoints = health.Endpoints.Values.ToList();
        var data = endpoints.ToDictionary(
            e => QueueName(e.InputAddress),
            e => (object)$"{e.Status}: {e.Description}",
            StringComparer.Ordinal);

        var unhealthy = endpoints.Where(e => e.Status == BusHealthStatus.Unhealthy).ToList();
        if (health.Status == BusHealthStatus.Unhealthy && unhealthy.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(health.Description, health.Exception, data));
        }

        if (unhealthy.Count > 0)
        {
            var names = string.Join(", ", unhealthy.Select(e => QueueName(e.InputAddress)));
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"{unhealthy.Count} of {endpoints.Count} receive endpoints are not consuming ({names}): {unhealthy[0].Description}",
                unhealthy[0].Exception,
                data));
        }

        var degraded = endpoints.Where(e => e.Status == BusHealthStatus.Degraded).ToList();
        return Task.FromResult(degraded.Count > 0
            ? HealthCheckResult.Degraded($"Stopped receive endpoints: {string.Join(", ", degraded.Select(e => QueueName(e.InputAddress)))}.", data: data)
            : HealthCheckResult.Healthy($"Started; {endpoints.Count} receive endpoints ready.", data));
    }

    /// <summary>"rabbitmq://host:5672/vhost/submit-order" → "submit-order" (the temporary reply endpoint keeps its long name).</summary>
    private static string QueueName(Uri address) => Uri.UnescapeDataString(address.Segments[^1].Trim('/'));
}
