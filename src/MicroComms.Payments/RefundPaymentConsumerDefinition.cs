using MassTransit;

namespace MicroComms.Payments;

public sealed class RefundPaymentConsumerDefinition : ConsumerDefinition<RefundPaymentConsumer>
{
    public const string QueueName = "refund-payment";

    public RefundPaymentConsumerDefinition() => EndpointName = QueueName;
}
