using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Orders;

public sealed class GetOrderStatusConsumerDefinition : ConsumerDefinition<GetOrderStatusConsumer>
{
    public GetOrderStatusConsumerDefinition() => EndpointName = QueueNames.GetOrderStatus;
}
