using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Payments;

public sealed class ChargePaymentConsumerDefinition : ConsumerDefinition<ChargePaymentConsumer>
{
    public ChargePaymentConsumerDefinition() => EndpointName = QueueNames.ChargePayment;
}
