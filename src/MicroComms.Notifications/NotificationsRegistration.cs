using MassTransit;
using MicroComms.Messaging;
using MicroComms.Messaging.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MicroComms.Notifications;

public static class NotificationsRegistration
{
    /// <summary>Notifications' database: its connection string is <c>ConnectionStrings:Notifications</c>.</summary>
    public const string DatabaseName = "Notifications";

    /// <summary>Notifications' database (<c>ConnectionStrings:Notifications</c>).</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMicroCommsDbContext<NotificationsDbContext>(configuration, DatabaseName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<NotificationRecorder>();
        return services;
    }

    /// <summary>Notifications' subscribers to OrderCompleted and OrderFaulted.</summary>
    public static IBusRegistrationConfigurator AddNotifications(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<OrderCompletedConsumer, NotificationsConsumerDefinition<OrderCompletedConsumer>>();
        x.AddConsumer<OrderFaultedConsumer, NotificationsConsumerDefinition<OrderFaultedConsumer>>();
        // Database change, inbox row and outgoing messages of every Notifications consumer commit together (the outbox).
        x.AddMicroCommsOutbox<NotificationsDbContext>();
        return x;
    }
}
