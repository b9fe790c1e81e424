using MassTransit;
using MassTransit.Testing;
using MicroComms.Contracts;
using MicroComms.Messaging.Outbox;
using MicroComms.Orders;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Tests;

public sealed class Orders_Specs
{
    private static readonly OrderLine Keyboard = new("KB-101", 2, 50m);

    [Fact]
    public async Task A_valid_order_is_stored_accepted_and_announced()
    {
        await using var host = await TestHosts.Orders();
        var orderId = NewId.NextGuid();

        var response = await Submit(host.Harness, new SubmitOrder(orderId, "alice", [Keyboard, new OrderLine("MS-202", 1, 20m)]));

        Assert.True(response.Is(out Response<OrderAccepted>? accepted));
        Assert.Equal(orderId, accepted.Message.OrderId);
        Assert.True(await host.Harness.Published.Any<OrderSubmitted>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Total == 120m));
        var order = await host.InScopeAsync<OrdersDbContext, Order?>(db => db.Orders.Include(o => o.Items).FirstOrDefaultAsync(o => o.Id == orderId));
        Assert.NotNull(order);
        Assert.Equal(2, order.Items.Count);
    }

    [Theory]
    [InlineData("mallory", "not known")]
    [InlineData("", "customer id is empty")]
    public async Task An_order_from_an_unknown_or_missing_customer_is_rejected_with_the_reason(string customer, string reason)
    {
        await using var host = await TestHosts.Orders();
        var orderId = NewId.NextGuid();

        var response = await Submit(host.Harness, new SubmitOrder(orderId, customer, [Keyboard]));

        Assert.True(response.Is(out Response<OrderRejected>? rejected));
        Assert.Contains(reason, rejected.Message.Reason, StringComparison.Ordinal);
        Assert.False(await host.Harness.Published.Any<OrderSubmitted>());
        Assert.False(await host.InScopeAsync<OrdersDbContext, bool>(db => db.Orders.AnyAsync(o => o.Id == orderId)));
    }

    [Fact]
    public async Task An_order_without_lines_is_rejected()
    {
        await using var host = await TestHosts.Orders();

        var response = await Submit(host.Harness, new SubmitOrder(NewId.NextGuid(), "alice", []));

        Assert.True(response.Is(out Response<OrderRejected>? rejected));
        Assert.Contains("no lines", rejected.Message.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(-1, 10)]
    [InlineData(1, -5)]
    [InlineData(1_001, 10)]
    public async Task A_line_with_a_bad_quantity_or_price_is_rejected(int quantity, int price)
    {
        await using var host = await TestHosts.Orders();

        var response = await Submit(host.Harness, new SubmitOrder(NewId.NextGuid(), "bob", [new OrderLine("KB-101", quantity, price)]));

        Assert.True(response.Is(out Response<OrderRejected>? rejected));
        Assert.Contains("Line 1", rejected.Message.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_SKU_on_two_lines_is_rejected()
    {
        await using var host = await TestHosts.Orders();

        var response = await Submit(host.Harness, new SubmitOrder(NewId.NextGuid(), "bob", [Keyboard, Keyboard]));

        Assert.True(response.Is(out Response<OrderRejected>? _));
    }

    [Fact]
    public async Task Submitting_the_same_order_twice_stores_and_announces_it_once()
    {
        await using var host = await TestHosts.Orders();
        var command = new SubmitOrder(NewId.NextGuid(), "carol", [Keyboard]);

        var first = await Submit(host.Harness, command);
        var second = await Submit(host.Harness, command);

        Assert.True(first.Is(out Response<OrderAccepted>? _));
        Assert.True(second.Is(out Response<OrderAccepted>? _));
        Assert.Single(host.Harness.Published.Select<OrderSubmitted>());
        Assert.Equal(1, await host.InScopeAsync<OrdersDbContext, int>(db => db.Orders.CountAsync()));
    }

    [Fact]
    public async Task The_status_of_an_unknown_order_is_answered_as_not_found()
    {
        await using var host = await TestHosts.Orders();
        var orderId = NewId.NextGuid();

        var client = host.Harness.Bus.CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"));
        var response = await client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(orderId));

        Assert.True(response.Is(out Response<OrderNotFound>? notFound));
        Assert.Equal(orderId, notFound.Message.OrderId);
    }

    [Fact]
    public async Task The_status_of_a_stored_order_is_answered_from_the_database()
    {
        await using var host = await TestHosts.Orders();
        var orderId = NewId.NextGuid();
        await Submit(host.Harness, new SubmitOrder(orderId, "dave", [Keyboard]));

        var client = host.Harness.Bus.CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"));
        var response = await client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(orderId));

        Assert.True(response.Is(out Response<OrderStatus>? status));
        Assert.Equal(OrderStates.Submitted, status.Message.State);
        Assert.Equal(100m, status.Message.Total);
    }

    [Fact]
    public async Task A_status_query_is_answered_without_writing_an_inbox_row()
    {
        await using var host = await TestHosts.Orders();

        var client = host.Harness.Bus.CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"));
        await client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(NewId.NextGuid()));
        await client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(NewId.NextGuid()));

        Assert.Equal(0, await host.InScopeAsync<OrdersDbContext, int>(db => db.Set<InboxState>().CountAsync()));
        Assert.Equal(0, await host.InScopeAsync<OrdersDbContext, int>(db => db.Set<OutboxMessage>().CountAsync()));
    }

    internal static Task<Response<OrderAccepted, OrderRejected>> Submit(ITestHarness harness, SubmitOrder command) =>
        harness.Bus.CreateRequestClient<SubmitOrder>(new Uri("queue:submit-order")).GetResponse<OrderAccepted, OrderRejected>(command);
}
