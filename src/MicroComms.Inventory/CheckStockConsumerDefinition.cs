using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Inventory;

public sealed class CheckStockConsumerDefinition : ConsumerDefinition<CheckStockConsumer>
{
    public CheckStockConsumerDefinition() => EndpointName = QueueNames.CheckStock;
}
