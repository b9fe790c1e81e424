using MassTransit;

namespace MicroComms.Orders;

public sealed class SubmitOrderConsumerDefinition : ConsumerDefinition<SubmitOrderConsumer>
{
    public const string QueueName = "submit-order";

    public SubmitOrderConsumerDefinition() => EndpointName = QueueName;
}
