using MassTransit;
using MicroComms.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Orders;

/// <summary>
/// Validates and stores an order, answers <see cref="OrderAccepted"/> or <see cref="OrderRejected"/>, and
/// publishes <see cref="OrderSubmitted"/>. Idempotent by design: an order id already stored is accepted
/// again without a second row or a second event.
/// </summary>
public sealed class SubmitOrderConsumer(OrdersDbContext db, OrderValidator validator, TimeProvider clock, ILogger<SubmitOrderConsumer> logger)
    : IConsumer<SubmitOrder>
{
    public async Task Consume(ConsumeContext<SubmitOrder> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        var existing = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == message.OrderId, ct);
        if (existing is not null)
        {
            logger.LogInformation("SubmitOrder {OrderId} already stored; answering OrderAccepted again", message.OrderId);
            await context.RespondAsync(new OrderAccepted(existing.Id, existing.SubmittedAt));
            return;
        }

        var customerKnown = !string.IsNullOrWhiteSpace(message.CustomerId)
            && await db.Customers.AnyAsync(c => c.Id == message.CustomerId, ct);
        var problem = validator.FindProblem(message, customerKnown);
        if (problem is not null)
        {
            logger.LogInformation("SubmitOrder {OrderId} rejected: {Reason}", message.OrderId, problem);
            await context.RespondAsync(new OrderRejected(message.OrderId, problem));
            return;
        }

        var now = clock.GetUtcNow();
        var order = new Order
        {
            Id = message.OrderId,
            CustomerId = message.CustomerId,
            Total = message.Lines.Sum(l => l.Quantity * l.UnitPrice),
            SubmittedAt = now,
            Items = message.Lines.Select(l => new OrderItem { Sku = l.Sku, Quantity = l.Quantity, UnitPrice = l.UnitPrice }).ToList(),
        };
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct);

        logger.LogInformation("SubmitOrder {OrderId} accepted for {CustomerId}, total {Total}", order.Id, order.CustomerId, order.Total);
        await context.Publish(new OrderSubmitted(order.Id, order.CustomerId, message.Lines, order.Total, now), ct);
        await context.RespondAsync(new OrderAccepted(order.Id, now));
    }
}
