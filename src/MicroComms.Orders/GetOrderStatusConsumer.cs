using MassTransit;
using MicroComms.Contracts;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Orders;

/// <summary>Answers from the Orders database; an unknown order is an <see cref="OrderNotFound"/> answer, not a timeout.</summary>
public sealed class GetOrderStatusConsumer(OrdersDbContext db) : IConsumer<GetOrderStatus>
{
    public async Task Consume(ConsumeContext<GetOrderStatus> context)
    {
        var order = await db.Orders.AsNoTracking()
            .FirstOrDefaultAsync(o => o.Id == context.Message.OrderId, context.CancellationToken);
        if (order is null)
        {
            await context.RespondAsync(new OrderNotFound(context.Message.OrderId));
            return;
        }

        await context.RespondAsync(new OrderStatus(order.Id, order.State, order.Reason, order.Total, order.SubmittedAt, order.UpdatedAt));
    }
}
