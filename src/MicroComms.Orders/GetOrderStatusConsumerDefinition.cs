using MassTransit;

namespace MicroComms.Orders;

public sealed class GetOrderStatusConsumerDefinition : ConsumerDefinition<GetOrderStatusConsumer>
{
    public const string QueueName = "get-order-status";

    public GetOrderStatusConsumerDefinition() => EndpointName = QueueName;
}
