using MicroComms.Messaging.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace MicroComms.Host.Health;

/// <summary>
/// <c>/health/live</c> (the process answers HTTP; no check runs) and <c>/health/ready</c> (every check tagged
/// <see cref="HealthTags.Ready"/>: the bus, each database's store and outbox) on every process's
/// HTTP addresses (<c>MicroComms:Host:Urls</c>). Ready answers 200 when Healthy or Degraded and 503 when Unhealthy, with
/// each check's status and reason (<see cref="HealthReportWriter"/>). The Gateway answers the same checks over gRPC.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/health/live";

    public const string ReadyPath = "/health/ready";

    public static WebApplication MapMicroCommsHealth(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        return app;
    }
}
