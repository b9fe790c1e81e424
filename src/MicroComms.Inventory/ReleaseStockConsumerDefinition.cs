using MicroComms.Contracts;
using Microsoft.Extensions.Options;

namespace MicroComms.Inventory;

public sealed class ReleaseStockConsumerDefinition(IOptions<InventoryOptions> options)
    : StockWriteConsumerDefinition<ReleaseStockConsumer>(QueueNames.ReleaseStock, options);
