using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Payments;

public sealed class RefundPaymentConsumerDefinition : ConsumerDefinition<RefundPaymentConsumer>
{
    public RefundPaymentConsumerDefinition() => EndpointName = QueueNames.RefundPayment;
}
