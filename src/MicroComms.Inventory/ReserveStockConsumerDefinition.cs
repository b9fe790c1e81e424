using MicroComms.Contracts;
using Microsoft.Extensions.Options;

namespace MicroComms.Inventory;

public sealed class ReserveStockConsumerDefinition(IOptions<InventoryOptions> options)
    : StockWriteConsumerDefinition<ReserveStockConsumer>(QueueNames.ReserveStock, options);
