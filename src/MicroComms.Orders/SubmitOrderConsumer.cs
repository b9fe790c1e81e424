using MassTransit;
using MicroComms.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Orders;

/// <summary>
/// Validates and stores an order, answers <see cref="OrderAccepted"/> or <see cref="OrderRejected"/>, and
/// publishes <see cref="OrderSubmitted"/>. Idempotent by design: an order id already stored with the same body is
/// accepted again without a second row; the same id with a different body is answered <see cref="OrderConflict"/>.
/// </summary>
public sealed class SubmitOrderConsumer(OrdersDbContext db, OrderValidator validator, TimeProvider clock, ILogger<SubmitOrderConsumer> logger)
    : IConsumer<SubmitOrder>
{
    public async Task Consume(ConsumeContext<SubmitOrder> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        var existing = await db.Orders.AsNoTracking().Include(o => o.Items).FirstOrDefaultAsync(o => o.Id == message.OrderId, ct);
        if (existing is not null)
        {
            await ResubmittedAsync(context, existing);
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

    /// <summary>
    /// A client retrying after a lost answer or a 504. A crash after the order committed but before its outbox was sent
    /// leaves the order without a workflow, and this retry is the only message that will ever come for it: so when no
    /// saga row exists, <see cref="OrderSubmitted"/> is published again (through this context, hence the consumer
    /// outbox). If the first one is still on its way, the saga ignores the second (it is keyed by order id).
    /// </summary>
    private async Task ResubmittedAsync(ConsumeContext<SubmitOrder> context, Order existing)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        if (Difference(existing, message) is { } difference)
        {
            logger.LogWarning("SubmitOrder {OrderId} conflicts with the stored order: {Reason}", message.OrderId, difference);
            var reason = $"Order {message.OrderId} already exists with a different {difference}; use a new order id for a new order.";
            // A requester built before OrderConflict existed would never see it (and time out), so it gets the refusal it knows.
            if (context.IsResponseAccepted<OrderConflict>(defaultIfHeaderNotFound: false))
            {
                await context.RespondAsync(new OrderConflict(message.OrderId, reason));
            }
            else
            {
                await context.RespondAsync(new OrderRejected(message.OrderId, reason));
            }

            return;
        }

        if (!await db.OrderSagas.AsNoTracking().AnyAsync(s => s.CorrelationId == existing.Id, ct))
        {
            logger.LogWarning("SubmitOrder {OrderId} already stored but its workflow never started; publishing OrderSubmitted again", existing.Id);
            var lines = existing.Items.OrderBy(i => i.Id).Select(i => new OrderLine(i.Sku, i.Quantity, i.UnitPrice)).ToList();
            await context.Publish(new OrderSubmitted(existing.Id, existing.CustomerId, lines, existing.Total, existing.SubmittedAt), ct);
        }
        else
        {
            logger.LogInformation("SubmitOrder {OrderId} already stored; answering OrderAccepted again", existing.Id);
        }

        await context.RespondAsync(new OrderAccepted(existing.Id, existing.SubmittedAt));
    }

    /// <summary>What differs between the stored order and a command with its id (null: the same order); line order does not matter.</summary>
    private static string? Difference(Order stored, SubmitOrder command)
    {
        if (!string.Equals(stored.CustomerId, command.CustomerId, StringComparison.Ordinal))
        {
            return "customer";
        }

        var storedLines = Sorted(stored.Items.Select(i => (i.Sku, i.Quantity, i.UnitPrice)));
        var commandLines = Sorted((command.Lines ?? []).Select(l => (l?.Sku ?? "", l?.Quantity ?? 0, l?.UnitPrice ?? 0m)));
        return storedLines.SequenceEqual(commandLines) ? null : "set of lines";
    }

    private static List<(string Sku, int Quantity, decimal UnitPrice)> Sorted(IEnumerable<(string Sku, int Quantity, decimal UnitPrice)> lines) =>
        lines.OrderBy(l => l.Sku, StringComparer.Ordinal).ThenBy(l => l.Quantity).ThenBy(l => l.UnitPrice).ToList();
}
