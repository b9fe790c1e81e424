using MassTransit;

namespace MicroComms.Inventory;

public sealed class CheckStockConsumerDefinition : ConsumerDefinition<CheckStockConsumer>
{
    public CheckStockConsumerDefinition() => EndpointName = InventoryQueueNames.CheckStockQueue;
}
