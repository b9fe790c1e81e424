using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.Retry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Inventory;

/// <summary>
/// Reserves every line of an order or none. Idempotent by design: the reservation row keyed by order id is
/// written in the same SaveChanges as the stock change, and a repeat answers what the first attempt decided.
/// </summary>
public sealed class ReserveStockConsumer(InventoryDbContext db, TimeProvider clock, ILogger<ReserveStockConsumer> logger)
    : IConsumer<ReserveStock>
{
    public async Task Consume(ConsumeContext<ReserveStock> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        var existing = await db.Reservations.AsNoTracking().FirstOrDefaultAsync(r => r.OrderId == message.OrderId, ct);
        if (existing is not null)
        {
            logger.LogInformation("ReserveStock {OrderId} repeated; reservation is {State}", message.OrderId, existing.State);
            await AnswerAsync(context, existing);
            return;
        }

        if (message.Lines is null || message.Lines.Count == 0 || message.Lines.Any(l => l is null || l.Quantity <= 0))
        {
            throw new PermanentFailureException($"ReserveStock {message.OrderId} has no lines or a line with a quantity below 1.");
        }

        var wanted = message.Lines
            .GroupBy(l => l.Sku, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        var skus = wanted.Keys.ToList();
        var stock = await db.Stock.Where(s => skus.Contains(s.Sku)).ToDictionaryAsync(s => s.Sku, StringComparer.Ordinal, ct);

        var reservation = new Reservation { OrderId = message.OrderId, UpdatedAt = clock.GetUtcNow() };
        var problem = FindShortage(wanted, stock);
        if (problem is not null)
        {
            reservation.State = ReservationStates.Failed;
            reservation.Reason = problem;
        }
        else
        {
            foreach (var (sku, quantity) in wanted)
            {
                var item = stock[sku];
                item.Available -= quantity;
                item.Reserved += quantity;
                item.Version++;
                reservation.Lines.Add(new ReservationLine { OrderId = message.OrderId, Sku = sku, Quantity = quantity });
            }
        }

        db.Reservations.Add(reservation);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("ReserveStock {OrderId}: {State} {Reason}", message.OrderId, reservation.State, reservation.Reason);
        await AnswerAsync(context, reservation);
    }

    private static string? FindShortage(Dictionary<string, int> wanted, Dictionary<string, StockItem> stock)
    {
        foreach (var (sku, quantity) in wanted)
        {
            if (!stock.TryGetValue(sku, out var item))
            {
                return $"SKU '{sku}' is not in the catalogue.";
            }

            if (item.Available < quantity)
            {
                return $"SKU '{sku}': {quantity} wanted, {item.Available} available.";
            }
        }

        return null;
    }

    private static Task AnswerAsync(ConsumeContext<ReserveStock> context, Reservation reservation) =>
        reservation.State == ReservationStates.Reserved
            ? context.Publish(new StockReserved(reservation.OrderId), context.CancellationToken)
            : context.Publish(
                new StockReservationFailed(reservation.OrderId, reservation.Reason ?? "The order's stock was already released."),
                context.CancellationToken);
}
