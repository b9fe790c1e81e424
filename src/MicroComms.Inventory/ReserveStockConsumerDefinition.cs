using Microsoft.Extensions.Options;

namespace MicroComms.Inventory;

public sealed class ReserveStockConsumerDefinition(IOptions<InventoryOptions> options)
    : StockWriteConsumerDefinition<ReserveStockConsumer>(InventoryQueueNames.ReserveStockQueue, options);
