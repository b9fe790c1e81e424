using System.Net;
using System.Net.Http.Json;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Inventory;
using MicroComms.Notifications;
using MicroComms.Orders;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Tests;

public sealed class Choreography_Specs
{
    [Fact]
    public async Task Reserved_stock_leads_to_a_charge_of_the_order_total()
    {
        await using var host = await TestHosts.Orders();
        var orderId = await Accept(host, new OrderLine("KB-101", 2, 30m));

        await host.Harness.Bus.Publish(new StockReserved(orderId));

        Assert.True(await host.Harness.Sent.Any<ChargePayment>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Amount == 60m));
        Assert.Equal(OrderStates.StockReserved, await State(host, orderId));
    }

    [Fact]
    public async Task A_failed_payment_releases_the_stock_and_faults_the_order()
    {
        await using var host = await TestHosts.Orders();
        var orderId = await Accept(host, new OrderLine("KB-101", 1, 30m));
        await host.Harness.Bus.Publish(new StockReserved(orderId));
        Assert.True(await host.Harness.Sent.Any<ChargePayment>());

        await host.Harness.Bus.Publish(new PaymentFailed(orderId, "card declined"));

        Assert.True(await host.Harness.Sent.Any<ReleaseStock>(m => m.Context.Message.OrderId == orderId));
        Assert.True(await host.Harness.Published.Any<OrderFaulted>(m =>
            m.Context.Message.OrderId == orderId && m.Context.Message.Reason.Contains("card declined", StringComparison.Ordinal)));
        Assert.Equal(OrderStates.Faulted, await State(host, orderId));
    }

    [Fact]
    public async Task A_completed_payment_completes_the_order_once_even_when_repeated()
    {
        await using var host = await TestHosts.Orders();
        var orderId = await Accept(host, new OrderLine("KB-101", 1, 30m));
        await host.Harness.Bus.Publish(new StockReserved(orderId));
        Assert.True(await host.Harness.Sent.Any<ChargePayment>());

        await host.Harness.Bus.Publish(new PaymentCompleted(orderId, Guid.NewGuid(), 30m));
        await host.Harness.Bus.Publish(new PaymentCompleted(orderId, Guid.NewGuid(), 30m));
        Assert.True(await host.Harness.Consumed.Any<PaymentCompleted>(_ => host.Harness.Consumed.Select<PaymentCompleted>().Count() == 2));

        Assert.Single(host.Harness.Published.Select<OrderCompleted>());
        Assert.Equal(OrderStates.Completed, await State(host, orderId));
    }

    [Fact]
    public async Task A_failed_reservation_faults_the_order_without_charging()
    {
        await using var host = await TestHosts.Orders();
        var orderId = await Accept(host, new OrderLine("KB-101", 1, 30m));

        await host.Harness.Bus.Publish(new StockReservationFailed(orderId, "out of stock"));

        Assert.True(await host.Harness.Published.Any<OrderFaulted>(m => m.Context.Message.OrderId == orderId));
        Assert.False(await host.Harness.Sent.Any<ChargePayment>());
        Assert.Equal(OrderStates.Faulted, await State(host, orderId));
    }

    [Fact]
    public async Task An_accepted_order_asks_Inventory_to_reserve_its_lines()
    {
        await using var host = await TestHosts.Orders();

        var orderId = await Accept(host, new OrderLine("MS-202", 4, 5m));

        Assert.True(await host.Harness.Sent.Any<ReserveStock>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Lines[0].Quantity == 4));
    }

    [Fact]
    public async Task An_order_through_every_service_completes_and_is_notified()
    {
        await using var host = await TestHosts.Everything();
        using var http = host.CreateClient();

        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(null, "erin", [new PlaceOrderLine("KB-101", 2, 10m)]));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var orderId = (await response.Content.ReadFromJsonAsync<OrderPlaced>())!.OrderId;

        Assert.True(await host.Harness.Published.Any<OrderCompleted>(m => m.Context.Message.OrderId == orderId));
        Assert.True(await host.Harness.Consumed.Any<OrderCompleted>(m => m.Context.Message.OrderId == orderId));
        Assert.Equal(OrderStates.Completed, await State(host, orderId));
        Assert.True(await host.InScopeAsync<NotificationsDbContext, bool>(db =>
            db.Notifications.AnyAsync(n => n.OrderId == orderId && n.Kind == NotificationKinds.OrderCompleted)));
        Assert.Equal(2, await host.InScopeAsync<InventoryDbContext, int>(db => db.Stock.Where(s => s.Sku == "KB-101").Select(s => s.Reserved).SingleAsync()));
    }

    [Fact]
    public async Task A_declined_order_through_every_service_faults_and_gets_its_stock_back()
    {
        await using var host = await TestHosts.Everything(new() { ["MicroComms:Payments:DeclineAbove"] = "50" });
        using var http = host.CreateClient();

        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(null, "erin", [new PlaceOrderLine("MN-303", 3, 20m)]));
        var orderId = (await response.Content.ReadFromJsonAsync<OrderPlaced>())!.OrderId;

        Assert.True(await host.Harness.Published.Any<StockReleased>(m => m.Context.Message.OrderId == orderId));
        Assert.Equal(OrderStates.Faulted, await State(host, orderId));
        var stock = await host.InScopeAsync<InventoryDbContext, StockItem>(db => db.Stock.AsNoTracking().SingleAsync(s => s.Sku == "MN-303"));
        Assert.Equal((10_000, 0), (stock.Available, stock.Reserved));
    }

    private static async Task<Guid> Accept(ServiceTestHost host, OrderLine line)
    {
        var orderId = NewId.NextGuid();
        var response = await Orders_Specs.Submit(host.Harness, new SubmitOrder(orderId, "alice", [line]));
        Assert.True(response.Is(out Response<OrderAccepted>? _));
        return orderId;
    }

    private static Task<string> State(ServiceTestHost host, Guid orderId) =>
        host.InScopeAsync<OrdersDbContext, string>(db => db.Orders.Where(o => o.Id == orderId).Select(o => o.State).SingleAsync());
}
