using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Inventory;
using MicroComms.Messaging.Inbox;
using MicroComms.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Tests;

public sealed class Inventory_Specs
{
    private const int Seeded = 10_000;

    [Fact]
    public async Task Reserving_takes_every_line_from_available_stock()
    {
        await using var host = await TestHosts.Inventory();
        var orderId = NewId.NextGuid();

        await Send(host, new ReserveStock(orderId, [new OrderLine("KB-101", 3, 1m), new OrderLine("MS-202", 2, 1m)]));

        Assert.True(await host.Harness.Published.Any<StockReserved>(m => m.Context.Message.OrderId == orderId));
        Assert.Equal((Seeded - 3, 3), await Stock(host, "KB-101"));
        Assert.Equal((Seeded - 2, 2), await Stock(host, "MS-202"));
    }

    [Fact]
    public async Task A_short_line_reserves_nothing_at_all()
    {
        await using var host = await TestHosts.Inventory();
        var orderId = NewId.NextGuid();

        await Send(host, new ReserveStock(orderId, [new OrderLine("KB-101", 3, 1m), new OrderLine("MS-202", Seeded + 1, 1m)]));

        Assert.True(await host.Harness.Published.Any<StockReservationFailed>(m =>
            m.Context.Message.OrderId == orderId && m.Context.Message.Reason.Contains("MS-202", StringComparison.Ordinal)));
        Assert.Equal((Seeded, 0), await Stock(host, "KB-101"));
        Assert.Equal((Seeded, 0), await Stock(host, "MS-202"));
    }

    [Fact]
    public async Task An_unknown_SKU_fails_the_reservation()
    {
        await using var host = await TestHosts.Inventory();
        var orderId = NewId.NextGuid();

        await Send(host, new ReserveStock(orderId, [new OrderLine("NOPE-1", 1, 1m)]));

        Assert.True(await host.Harness.Published.Any<StockReservationFailed>(m =>
            m.Context.Message.OrderId == orderId && m.Context.Message.Reason.Contains("not in the catalogue", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_repeated_reservation_takes_stock_once_and_answers_again()
    {
        await using var host = await TestHosts.Inventory();
        var command = new ReserveStock(NewId.NextGuid(), [new OrderLine("HD-404", 4, 1m)]);

        await Send(host, command);
        Assert.True(await host.Harness.Published.Any<StockReserved>());
        await Send(host, command);
        Assert.True(await host.Harness.Consumed.Any<ReserveStock>(_ => host.Harness.Consumed.Select<ReserveStock>().Count() == 2));

        Assert.Equal(2, host.Harness.Published.Select<StockReserved>().Count());
        Assert.Equal((Seeded - 4, 4), await Stock(host, "HD-404"));
    }

    [Fact]
    public async Task Releasing_gives_back_exactly_what_was_reserved_and_only_once()
    {
        await using var host = await TestHosts.Inventory();
        var orderId = NewId.NextGuid();
        await Send(host, new ReserveStock(orderId, [new OrderLine("CB-505", 7, 1m)]));
        Assert.True(await host.Harness.Published.Any<StockReserved>());

        await Send(host, new ReleaseStock(orderId));
        await Send(host, new ReleaseStock(orderId));
        Assert.True(await host.Harness.Published.Any<StockReleased>(_ => host.Harness.Published.Select<StockReleased>().Count() == 2));

        Assert.Equal((Seeded, 0), await Stock(host, "CB-505"));
    }

    [Fact]
    public async Task A_reservation_arriving_after_its_release_fails_instead_of_holding_stock()
    {
        await using var host = await TestHosts.Inventory();
        var orderId = NewId.NextGuid();

        await Send(host, new ReleaseStock(orderId));
        Assert.True(await host.Harness.Published.Any<StockReleased>());
        await Send(host, new ReserveStock(orderId, [new OrderLine("KB-101", 1, 1m)]));

        Assert.True(await host.Harness.Published.Any<StockReservationFailed>(m => m.Context.Message.OrderId == orderId));
        Assert.Equal((Seeded, 0), await Stock(host, "KB-101"));
    }

    [Fact]
    public async Task A_reservation_without_lines_goes_to_the_error_queue_without_retries()
    {
        await using var host = await TestHosts.Inventory();
        var orderId = NewId.NextGuid();

        await Send(host, new ReserveStock(orderId, []));

        Assert.True(await host.Harness.Published.Any<Fault<ReserveStock>>(m => m.Context.Message.Message.OrderId == orderId));
        Assert.False(await host.Harness.Published.Any<StockReserved>());
    }

    [Fact]
    public async Task Checking_stock_answers_the_levels_and_unknown_SKUs()
    {
        await using var host = await TestHosts.Inventory();
        var client = host.Harness.Bus.CreateRequestClient<CheckStock>(new Uri("queue:check-stock"));

        var known = await client.GetResponse<StockLevel>(new CheckStock("MN-303"));
        var unknown = await client.GetResponse<StockLevel>(new CheckStock("NOPE-1"));

        Assert.Equal(new StockLevel("MN-303", true, Seeded, 0), known.Message);
        Assert.False(unknown.Message.Known);
    }

    [Fact]
    public async Task A_stock_query_is_answered_without_writing_an_inbox_row()
    {
        await using var host = await TestHosts.Inventory();

        await host.Harness.Bus.CreateRequestClient<CheckStock>(new Uri("queue:check-stock")).GetResponse<StockLevel>(new CheckStock("MN-303"));

        Assert.Equal(0, await host.InScopeAsync<InventoryDbContext, int>(db => db.Set<InboxState>().CountAsync()));
    }

    [Fact]
    public async Task Restocking_adds_stock_and_announces_it()
    {
        await using var host = await TestHosts.Inventory();
        using var http = host.CreateClient();

        var response = await http.PostAsJsonAsync("/inventory/KB-101/restock", new RestockRequest(25));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await host.Harness.Published.Any<StockRestocked>(m => m.Context.Message.Sku == "KB-101" && m.Context.Message.Added == 25));
        Assert.Equal((Seeded + 25, 0), await Stock(host, "KB-101"));
    }

    [Fact]
    public async Task Restocking_an_unknown_SKU_or_a_non_positive_quantity_is_refused()
    {
        await using var host = await TestHosts.Inventory();
        using var http = host.CreateClient();

        var unknown = await http.PostAsJsonAsync("/inventory/NOPE-1/restock", new RestockRequest(5));
        var zero = await http.PostAsJsonAsync("/inventory/KB-101/restock", new RestockRequest(0));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Contains("quantity", await zero.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KB%07101", """{"quantity":5}""", "sku")]
    [InlineData("KB%E2%80%AE101", """{"quantity":5}""", "sku")]
    [InlineData("KB-101", """{"quantity":"5"}""", "quantity")]
    [InlineData("KB-101", """{"quantity":5,"quantity":500}""", "quantity")]
    public async Task A_restock_with_a_SKU_that_is_not_printable_or_a_malformed_body_is_refused_naming_the_field(string sku, string json, string field)
    {
        await using var host = await TestHosts.Inventory();
        using var http = host.CreateClient();
        using var body = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await http.PostAsync($"/inventory/{sku}/restock", body);

        await Gateway_Specs.AssertProblem(response, StatusCodes.Status400BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([field], problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal((Seeded, 0), await Stock(host, "KB-101"));
    }

    [Fact]
    public async Task Restock_refusals_are_problem_details()
    {
        await using var host = await TestHosts.Inventory();
        using var http = host.CreateClient();
        using var text = new StringContent("quantity=5", Encoding.UTF8, "text/plain");

        using var wrongType = await http.PostAsync("/inventory/KB-101/restock", text);
        using var unknown = await http.PostAsJsonAsync("/inventory/NOPE-1/restock", new RestockRequest(5));
        using var wrongMethod = await http.GetAsync("/inventory/KB-101/restock");

        await Gateway_Specs.AssertProblem(wrongType, StatusCodes.Status415UnsupportedMediaType);
        await Gateway_Specs.AssertProblem(unknown, StatusCodes.Status404NotFound);
        await Gateway_Specs.AssertProblem(wrongMethod, StatusCodes.Status405MethodNotAllowed);
    }

    private static async Task Send<T>(ServiceTestHost host, T message)
        where T : class
    {
        var queue = message switch
        {
            ReserveStock => QueueNames.ReserveStock,
            ReleaseStock => QueueNames.ReleaseStock,
            _ => throw new ArgumentException("No queue for " + typeof(T).Name, nameof(message)),
        };
        var endpoint = await host.Harness.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        await endpoint.Send(message);
    }

    private static Task<(int Available, int Reserved)> Stock(ServiceTestHost host, string sku) =>
        host.InScopeAsync<InventoryDbContext, (int, int)>(async db =>
        {
            var item = await db.Stock.AsNoTracking().SingleAsync(s => s.Sku == sku);
            return (item.Available, item.Reserved);
        });
}
