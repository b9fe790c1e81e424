using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MicroComms.Contracts;
using MicroComms.Gateway;

namespace MicroComms.Tests;

public sealed class Gateway_Specs
{
    [Fact]
    public async Task A_malformed_order_is_refused_with_400_naming_each_bad_field()
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(
            null, " ", [new PlaceOrderLine("KB-101", 0, 10m), new PlaceOrderLine(null, 1, -1m)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = await Errors(response);
        Assert.Equal(["customerId", "lines[0].quantity", "lines[1].sku", "lines[1].unitPrice"], errors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_order_with_a_field_of_the_wrong_type_is_refused_naming_the_field()
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        using var body = new StringContent("""{"customerId":"alice","lines":[{"sku":"KB-101","quantity":"two","unitPrice":1}]}""", Encoding.UTF8, "application/json");
        var response = await http.PostAsync("/orders", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["lines[0].quantity"], await Errors(response));
    }

    [Fact]
    public async Task A_valid_order_is_accepted_with_202_and_its_location()
    {
        await using var host = await TestHosts.Everything();
        using var http = host.CreateClient();
        var orderId = Guid.NewGuid();

        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(orderId, "alice", [new PlaceOrderLine("KB-101", 1, 10m)]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/orders/{orderId}", response.Headers.Location?.OriginalString);
        var status = await http.GetFromJsonAsync<OrderStatus>($"/orders/{orderId}");
        Assert.Equal(orderId, status!.OrderId);
    }

    [Fact]
    public async Task An_order_Orders_rejects_is_answered_with_422_and_the_reason()
    {
        await using var host = await TestHosts.Everything();
        using var http = host.CreateClient();

        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(null, "mallory", [new PlaceOrderLine("KB-101", 1, 10m)]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("mallory", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_order_is_404()
    {
        await using var host = await TestHosts.Everything();
        using var http = host.CreateClient();

        var response = await http.GetAsync($"/orders/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_service_that_does_not_answer_in_time_gives_504_problem_details()
    {
        await using var gateway = await TestHosts.Gateway(new() { ["MicroComms:Gateway:RequestTimeout"] = "00:00:00.200" });
        using var http = gateway.CreateClient();

        var status = await http.GetAsync($"/orders/{Guid.NewGuid()}");
        var stock = await http.GetAsync("/stock/KB-101");

        Assert.Equal(HttpStatusCode.GatewayTimeout, status.StatusCode);
        Assert.Equal("application/problem+json", status.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.GatewayTimeout, stock.StatusCode);
    }

    [Fact]
    public async Task Stock_is_answered_by_Inventory_and_an_unknown_SKU_is_404()
    {
        await using var host = await TestHosts.Everything();
        using var http = host.CreateClient();

        var level = await http.GetFromJsonAsync<StockLevel>("/stock/HD-404");
        var unknown = await http.GetAsync("/stock/NOPE-1");

        Assert.Equal(new StockLevel("HD-404", true, 10_000, 0), level);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_endpoints()
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        var document = await http.GetStringAsync("/openapi/v1.json");

        Assert.Contains("\"/orders\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/orders/{id}\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/stock/{sku}\"", document, StringComparison.Ordinal);
    }

    private static async Task<List<string>> Errors(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
    }
}
