using Microsoft.Extensions.Options;

namespace MicroComms.Inventory;

public sealed class ReleaseStockConsumerDefinition(IOptions<InventoryOptions> options)
    : StockWriteConsumerDefinition<ReleaseStockConsumer>(InventoryQueueNames.ReleaseStockQueue, options);
