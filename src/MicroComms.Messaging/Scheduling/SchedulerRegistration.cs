using MicroComms.Messaging.Health;
using MicroComms.Messaging.Stores;
using MicroComms.Messaging.Telemetry;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Scheduling;

internal static class SchedulerRegistration
{
    /// <summary>
    /// The scheduler's storage and dispatcher: its database (<c>ConnectionStrings:Scheduler</c>, which the
    /// Host derives from its data folder; without one <c>data/scheduler.db</c>), the in-process wake-up, and the hosted service that sends due
    /// rows. <see cref="MicroCommsRegistration.AddMicroComms"/> calls it; the consumer and the bus wiring
    /// are added there.
    /// </summary>
    public static IServiceCollection AddMicroCommsScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMicroCommsDbContext<SchedulerDbContext>(configuration, SchedulerOptions.ConnectionStringName);

        // The dispatcher polls; logging each of its statements at Information would bury everything else.
        services.ConfigureDbContext<SchedulerDbContext>(o => o.ConfigureWarnings(w => w.Log(
            (RelationalEventId.CommandExecuted, LogLevel.Debug),
            (RelationalEventId.CommandCreated, LogLevel.Trace))), ServiceLifetime.Singleton);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SchedulerSignal>();
        services.AddMicroCommsMetrics();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreGauges, SchedulerGauges>());
        services.AddHostedService<ScheduledMessageDispatcher>();
        services.AddStoreHealthChecks<SchedulerDbContext>(outbox: false);
        return services;
    }
}
