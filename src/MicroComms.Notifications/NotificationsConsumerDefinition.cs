using MassTransit;

namespace MicroComms.Notifications;

/// <summary>Names each event queue after Notifications ("notifications-order-completed"), so no other service's queue shares the name.</summary>
public sealed class NotificationsConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public NotificationsConsumerDefinition()
    {
        var name = typeof(TConsumer).Name;
        name = name.EndsWith("Consumer", StringComparison.Ordinal) ? name[..^"Consumer".Length] : name;
        EndpointName = "notifications-" + KebabCaseEndpointNameFormatter.Instance.SanitizeName(name);
    }
}
