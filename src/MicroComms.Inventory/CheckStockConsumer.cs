using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Inventory;

/// <summary>Answers a stock query from the database; an unknown SKU is an answer (Known = false).</summary>
[ReadOnlyConsumer]
public sealed class CheckStockConsumer(InventoryDbContext db) : IConsumer<CheckStock>
{
    public async Task Consume(ConsumeContext<CheckStock> context)
    {
        var sku = context.Message.Sku;
        var item = await db.Stock.AsNoTracking().FirstOrDefaultAsync(s => s.Sku == sku, context.CancellationToken);
        await context.RespondAsync(item is null
            ? new StockLevel(sku, false, 0, 0)
            : new StockLevel(item.Sku, true, item.Available, item.Reserved));
    }
}
