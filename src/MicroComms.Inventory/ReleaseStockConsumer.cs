using MassTransit;
using MicroComms.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Inventory;

/// <summary>
/// Gives back exactly what the order's reservation took. Idempotent by design: the reservation moves to
/// Released in the same SaveChanges, so a repeat finds nothing left to give. A release that arrives before
/// its reservation leaves a Released row behind, and the late ReserveStock then fails instead of holding stock.
/// </summary>
public sealed class ReleaseStockConsumer(InventoryDbContext db, TimeProvider clock, ILogger<ReleaseStockConsumer> logger)
    : IConsumer<ReleaseStock>
{
    public async Task Consume(ConsumeContext<ReleaseStock> context)
    {
        var orderId = context.Message.OrderId;
        var ct = context.CancellationToken;

        var reservation = await db.Reservations.Include(r => r.Lines).FirstOrDefaultAsync(r => r.OrderId == orderId, ct);
        if (reservation is null)
        {
            db.Reservations.Add(new Reservation
            {
                OrderId = orderId,
                State = ReservationStates.Released,
                Reason = "Released before any reservation arrived.",
                UpdatedAt = clock.GetUtcNow(),
            });
        }
        else if (reservation.State == ReservationStates.Reserved)
        {
            var skus = reservation.Lines.Select(l => l.Sku).ToList();
            var stock = await db.Stock.Where(s => skus.Contains(s.Sku)).ToDictionaryAsync(s => s.Sku, StringComparer.Ordinal, ct);
            foreach (var line in reservation.Lines)
            {
                var item = stock[line.Sku];
                item.Available += line.Quantity;
                item.Reserved -= line.Quantity;
                item.Version++;
            }

            reservation.State = ReservationStates.Released;
            reservation.UpdatedAt = clock.GetUtcNow();
        }
        else
        {
            logger.LogInformation("ReleaseStock {OrderId}: reservation is {State}, nothing to give back", orderId, reservation.State);
            await context.Publish(new StockReleased(orderId), ct);
            return;
        }

        await db.SaveChangesAsync(ct);
        logger.LogInformation("ReleaseStock {OrderId}: stock given back", orderId);
        await context.Publish(new StockReleased(orderId), ct);
    }
}
