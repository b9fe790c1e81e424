using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway;
using Microsoft.Extensions.DependencyInjection;

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

    [Theory]
    [InlineData("""{"customerId":"alice","lines":[{"sku":"KB-101","quantity":"1","unitPrice":1}]}""", "lines[0].quantity")]
    [InlineData("""{"customerId":"alice","lines":[{"sku":"KB-101","quantity":1,"unitPrice":"1.50"}]}""", "lines[0].unitPrice")]
    [InlineData("""{"customerId":"alice","lines":[{"sku":"KB-101","quantity":1,"quantity":1000,"unitPrice":1}]}""", "lines[0].quantity")]
    [InlineData("""{"customerId":"alice","customerId":"bob","lines":[{"sku":"KB-101","quantity":1,"unitPrice":1}]}""", "customerId")]
    public async Task A_number_written_as_a_string_or_a_key_given_twice_is_refused_naming_the_field(string json, string field)
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        var response = await PostJson(http, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await Errors(response));
    }

    [Theory]
    [InlineData("1e-30")]
    [InlineData("0.001")]
    [InlineData("19.999")]
    public async Task A_unit_price_with_more_than_two_decimal_places_is_refused(string price)
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        var response = await PostJson(http, $$"""{"customerId":"alice","lines":[{"sku":"KB-101","quantity":1,"unitPrice":{{price}}}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["lines[0].unitPrice"], await Errors(response));
    }

    [Theory]
    [InlineData("x", 10_000)]
    [InlineData("KB\u0007101", 1)]
    [InlineData("KB\u0000101", 1)]
    [InlineData("KB\n101", 1)]
    [InlineData("KB\u202E101", 1)]
    public async Task A_SKU_that_is_too_long_or_not_printable_is_refused(string sku, int repeat)
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();
        var written = string.Concat(Enumerable.Repeat(sku, repeat));

        var response = await PostJson(http, $$"""{"customerId":"alice","lines":[{"sku":"{{written}}","quantity":1,"unitPrice":1}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["lines[0].sku"], await Errors(response));
    }

    [Fact]
    public async Task A_customer_id_that_is_too_long_is_refused()
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(null, new string('a', 65), [new PlaceOrderLine("KB-101", 1, 1m)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["customerId"], await Errors(response));
    }

    [Fact]
    public async Task A_line_total_too_large_to_compute_is_answered_422_naming_the_line()
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(
            null, "alice", [new PlaceOrderLine("KB-101", 1, 10m), new PlaceOrderLine("MS-202", 2, decimal.MaxValue)]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["lines[1]"], await Errors(response));
    }

    [Fact]
    public async Task An_order_total_too_large_to_compute_is_answered_422_naming_the_total()
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(
            null, "alice", [new PlaceOrderLine("KB-101", 1, decimal.MaxValue), new PlaceOrderLine("MS-202", 1, decimal.MaxValue)]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(["total"], await Errors(response));
    }

    [Theory]
    [InlineData("POST", "/orders", "text/plain", 415)]
    [InlineData("GET", "/orders/not-a-guid", null, 404)]
    [InlineData("GET", "/no-such-path", null, 404)]
    [InlineData("GET", "/orders", null, 405)]
    [InlineData("PUT", "/orders", null, 405)]
    public async Task Every_refusal_is_problem_details(string method, string path, string? contentType, int status)
    {
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (contentType is not null)
        {
            request.Content = new StringContent("customerId=alice", Encoding.UTF8, contentType);
        }

        using var response = await http.SendAsync(request);

        await AssertProblem(response, status);
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

    [Theory]
    [InlineData("POST", "/orders")]
    [InlineData("GET", "/orders/{0}")]
    [InlineData("POST", "/orders/{0}/cancel")]
    [InlineData("GET", "/stock/KB-101")]
    public async Task A_request_whose_send_never_completes_is_answered_504_within_the_bound_saying_a_retry_is_safe(string method, string path)
    {
        var timeout = TimeSpan.FromMilliseconds(200);
        var margin = TimeSpan.FromMilliseconds(100);
        await using var gateway = await TestHosts.Gateway(
            new()
            {
                ["MicroComms:Gateway:RequestTimeout"] = "00:00:00.200",
                ["MicroComms:Gateway:RequestTimeoutMargin"] = "00:00:00.100",
            },
            services =>
            {
                // As while the broker is down: the send blocks, so MassTransit's request timeout never even starts.
                services.AddScoped(_ => NeverAnswers.Create<IRequestClient<SubmitOrder>>());
                services.AddScoped(_ => NeverAnswers.Create<IRequestClient<GetOrderStatus>>());
                services.AddScoped(_ => NeverAnswers.Create<IRequestClient<CancelOrder>>());
                services.AddScoped(_ => NeverAnswers.Create<IRequestClient<CheckStock>>());
            });
        using var http = gateway.CreateClient();
        var orderId = Guid.NewGuid();
        using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(CultureInfo.InvariantCulture, path, orderId));
        if (path == "/orders")
        {
            request.Content = JsonContent.Create(new PlaceOrderRequest(orderId, "alice", [new PlaceOrderLine("KB-101", 1, 10m)]));
        }

        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        var elapsed = clock.Elapsed;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        // Slack for a loaded machine; what matters is that the answer comes, not when a dead send gives up.
        Assert.True(elapsed < timeout + margin + TimeSpan.FromSeconds(2), $"answered after {elapsed}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("retrySafe").GetBoolean());
        if (path.StartsWith("/orders", StringComparison.Ordinal))
        {
            Assert.Equal(orderId, problem.RootElement.GetProperty("orderId").GetGuid());
        }
    }

    [Fact]
    public async Task The_same_order_id_with_a_different_body_is_answered_409()
    {
        await using var host = await TestHosts.Everything();
        using var http = host.CreateClient();
        var orderId = Guid.NewGuid();
        var order = new PlaceOrderRequest(orderId, "alice", [new PlaceOrderLine("KB-101", 1, 10m)]);

        var first = await http.PostAsJsonAsync("/orders", order);
        var same = await http.PostAsJsonAsync("/orders", order);
        var different = await http.PostAsJsonAsync("/orders", order with { Lines = [new PlaceOrderLine("KB-101", 2, 10m)] });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, same.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal("application/problem+json", different.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await different.Content.ReadAsStringAsync());
        Assert.Equal(orderId, problem.RootElement.GetProperty("orderId").GetGuid());
        Assert.Contains(orderId.ToString(), problem.RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);
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

    [Theory]
    [InlineData("KB%07101")]
    [InlineData("KB%E2%80%AE101")]
    public async Task A_stock_query_for_a_SKU_that_is_not_printable_is_refused_without_asking_Inventory(string sku)
    {
        // Inventory is not running: an answer that needed it would be a 504.
        await using var gateway = await TestHosts.Gateway();
        using var http = gateway.CreateClient();

        using var response = await http.GetAsync($"/stock/{sku}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["sku"], await Errors(response));
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

    /// <summary>The answer is problem details with the status and a title, the way every 4xx/5xx of every process must be.</summary>
    internal static async Task AssertProblem(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()));
    }

    private static async Task<HttpResponseMessage> PostJson(HttpClient http, string json)
    {
        using var body = new StringContent(json, Encoding.UTF8, "application/json");
        return await http.PostAsync("/orders", body);
    }

    private static async Task<List<string>> Errors(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
    }
}
