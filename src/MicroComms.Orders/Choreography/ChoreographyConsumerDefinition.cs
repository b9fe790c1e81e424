using MassTransit;

namespace MicroComms.Orders.Choreography;

/// <summary>
/// Names each choreography consumer's queue after Orders ("orders-stock-reserved"), so the event queues of
/// different services never share a name.
/// </summary>
public sealed class ChoreographyConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public ChoreographyConsumerDefinition()
    {
        var name = typeof(TConsumer).Name;
        name = name.EndsWith("Consumer", StringComparison.Ordinal) ? name[..^"Consumer".Length] : name;
        EndpointName = "orders-" + KebabCaseEndpointNameFormatter.Instance.SanitizeName(name);
    }
}
