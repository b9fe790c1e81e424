using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Orders;

public sealed class SubmitOrderConsumerDefinition : ConsumerDefinition<SubmitOrderConsumer>
{
    public SubmitOrderConsumerDefinition() => EndpointName = QueueNames.SubmitOrder;
}
