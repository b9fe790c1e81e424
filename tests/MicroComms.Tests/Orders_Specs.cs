using System.Globalization;
using MassTransit;
using MassTransit.Testing;
using MicroComms.Contracts;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Orders;
using MicroComms.Tests.OrderSaga;
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

    [Theory]
    [InlineData("KB-101", 2, "79228162514264337593543950335", "too large")]
    [InlineData("KB-101", 1, "0.001", "decimal places")]
    [InlineData("KB\u0007101", 1, "1", "SKU")]
    [InlineData("", 1, "1", "no SKU")]
    public async Task A_line_whose_total_cannot_be_computed_or_whose_price_or_SKU_is_malformed_is_rejected(string sku, int quantity, string price, string reason)
    {
        await using var host = await TestHosts.Orders();

        var response = await Submit(host.Harness, new SubmitOrder(
            NewId.NextGuid(), "bob", [new OrderLine(System.Text.RegularExpressions.Regex.Unescape(sku), quantity, decimal.Parse(price, CultureInfo.InvariantCulture))]));

        Assert.True(response.Is(out Response<OrderRejected>? rejected));
        Assert.Contains(reason, rejected.Message.Reason, StringComparison.Ordinal);
        Assert.False(await host.Harness.Published.Any<OrderSubmitted>());
    }

    [Fact]
    public async Task An_order_total_that_cannot_be_computed_is_rejected()
    {
        await using var host = await TestHosts.Orders();

        var response = await Submit(host.Harness, new SubmitOrder(
            NewId.NextGuid(), "bob", [new OrderLine("KB-101", 1, decimal.MaxValue), new OrderLine("MS-202", 1, decimal.MaxValue)]));

        Assert.True(response.Is(out Response<OrderRejected>? rejected));
        Assert.Contains("total is too large", rejected.Message.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_SKU_on_two_lines_is_rejected()
    {
        await using var host = await TestHosts.Orders();

        var response = await Submit(host.Harness, new SubmitOrder(NewId.NextGuid(), "bob", [Keyboard, Keyboard]));

        Assert.True(response.Is(out Response<OrderRejected>? _));
    }

    [Fact]
    public async Task Submitting_the_same_order_twice_stores_it_once_and_starts_one_workflow()
    {
        // The saga's own store: the consumer looks for the order's saga row in OrdersDbContext, which ServiceTestHost's
        // harness replaces with an in-memory repository.
        await using var orders = await OrderSagaHarness.StartAsync();
        var command = new SubmitOrder(NewId.NextGuid(), "carol", [Keyboard]);

        var first = await Submit(orders.Harness, command);
        var second = await Submit(orders.Harness, command);

        Assert.True(first.Is(out Response<OrderAccepted>? _));
        Assert.True(second.Is(out Response<OrderAccepted>? _));
        await orders.ReachedAsync(command.OrderId, orders.Machine.Submitted);
        // The second may have come before the saga row and announced the order again; the saga ignores a repeat.
        await orders.Harness.InactivityTask;
        Assert.Equal(1, orders.CountSent<ReserveStock>(m => m.OrderId == command.OrderId));
        Assert.Equal(1, await orders.InScopeAsync(db => db.Orders.CountAsync()));
    }

    [Fact]
    public async Task A_resubmitted_order_whose_workflow_never_started_starts_it_once()
    {
        await using var orders = await OrderSagaHarness.StartAsync();
        var command = new SubmitOrder(NewId.NextGuid(), "carol", [Keyboard]);
        // What a crash of Orders after its commit and before its outbox was sent leaves: the order row, no saga, nothing on the bus.
        await orders.InScopeAsync(db =>
        {
            db.Orders.Add(new Order
            {
                Id = command.OrderId,
                CustomerId = command.CustomerId,
                Total = 100m,
                SubmittedAt = DateTimeOffset.UtcNow,
                Items = [new OrderItem { Sku = Keyboard.Sku, Quantity = Keyboard.Quantity, UnitPrice = Keyboard.UnitPrice }],
            });
            return db.SaveChangesAsync();
        });

        var retried = await Submit(orders.Harness, command);
        Assert.True(retried.Is(out Response<OrderAccepted>? _));
        await orders.ReachedAsync(command.OrderId, orders.Machine.Submitted);
        var again = await Submit(orders.Harness, command);

        Assert.True(again.Is(out Response<OrderAccepted>? _));
        Assert.Equal(1, orders.CountPublished<OrderSubmitted>(m => m.OrderId == command.OrderId && m.Total == 100m));
        Assert.Equal(1, orders.CountSent<ReserveStock>(m => m.OrderId == command.OrderId));
        Assert.Equal(1, await orders.InScopeAsync(db => db.Orders.CountAsync()));
    }

    [Theory]
    [InlineData("dave", 2, 50)]
    [InlineData("carol", 3, 50)]
    [InlineData("carol", 2, 49)]
    public async Task The_same_order_id_with_a_different_body_is_answered_OrderConflict_and_changes_nothing(string customer, int quantity, int price)
    {
        await using var host = await TestHosts.Orders();
        var orderId = NewId.NextGuid();
        await Submit(host.Harness, new SubmitOrder(orderId, "carol", [Keyboard]));

        var client = host.Harness.Bus.CreateRequestClient<SubmitOrder>(new Uri("queue:submit-order"));
        var response = await client.GetResponse<OrderAccepted, OrderRejected, OrderConflict>(
            new SubmitOrder(orderId, customer, [new OrderLine(Keyboard.Sku, quantity, price)]));

        Assert.True(response.Is(out Response<OrderConflict>? conflict));
        Assert.Equal(orderId, conflict.Message.OrderId);
        Assert.Contains(orderId.ToString(), conflict.Message.Reason, StringComparison.Ordinal);
        Assert.Single(host.Harness.Published.Select<OrderSubmitted>());
        var stored = await host.InScopeAsync<OrdersDbContext, Order>(db => db.Orders.Include(o => o.Items).SingleAsync());
        Assert.Equal(("carol", 2), (stored.CustomerId, stored.Items.Single().Quantity));
    }

    [Fact]
    public async Task A_conflicting_resubmission_from_a_requester_that_does_not_know_OrderConflict_is_rejected()
    {
        await using var host = await TestHosts.Orders();
        var orderId = NewId.NextGuid();
        await Submit(host.Harness, new SubmitOrder(orderId, "carol", [Keyboard]));

        var response = await Submit(host.Harness, new SubmitOrder(orderId, "dave", [Keyboard]));

        Assert.True(response.Is(out Response<OrderRejected>? rejected));
        Assert.Contains("already exists", rejected.Message.Reason, StringComparison.Ordinal);
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
