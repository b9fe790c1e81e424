using MassTransit;
using MicroComms.Contracts;
using MicroComms.Notifications;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Tests;

public sealed class Notifications_Specs
{
    [Fact]
    public async Task Each_order_outcome_is_recorded_once_per_order_and_kind()
    {
        await using var host = await TestHosts.Notifications();
        var orderId = NewId.NextGuid();
        var now = DateTimeOffset.UtcNow;

        await host.Harness.Bus.Publish(new OrderCompleted(orderId, "alice", now));
        await host.Harness.Bus.Publish(new OrderCompleted(orderId, "alice", now));
        await host.Harness.Bus.Publish(new OrderFaulted(orderId, "alice", "Payment failed", now));
        Assert.True(await host.Harness.Consumed.Any<OrderCompleted>(_ => host.Harness.Consumed.Select<OrderCompleted>().Count() == 2));
        Assert.True(await host.Harness.Consumed.Any<OrderFaulted>());

        var kinds = await host.InScopeAsync<NotificationsDbContext, List<string>>(db =>
            db.Notifications.Where(n => n.OrderId == orderId).Select(n => n.Kind).OrderBy(k => k).ToListAsync());
        Assert.Equal([NotificationKinds.OrderCompleted, NotificationKinds.OrderFaulted], kinds);
    }
}
