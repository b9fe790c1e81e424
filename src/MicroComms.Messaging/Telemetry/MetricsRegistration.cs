using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MicroComms.Messaging.Telemetry;

internal static class MetricsRegistration
{
    /// <summary>The MicroComms meter (and the meter factory it is created by, for bare service collections in tests).</summary>
    public static IServiceCollection AddMicroCommsMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<MicroCommsMetrics>();
        return services;
    }
}
