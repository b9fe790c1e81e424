using MassTransit;

namespace MicroComms.Payments;

public sealed class ChargePaymentConsumerDefinition : ConsumerDefinition<ChargePaymentConsumer>
{
    public const string QueueName = "charge-payment";

    public ChargePaymentConsumerDefinition() => EndpointName = QueueName;
}
