using System.Net;
using System.Text.Json;
using MicroComms.Host;
using Microsoft.AspNetCore.Builder;

namespace MicroComms.Tests;

/// <summary>
/// The Gateway's OpenAPI document, as a process running every service serves it, keeps what Redocly's recommended
/// rules ask (<c>npx @redocly/cli lint</c>: 0 errors), so it cannot regress without the linter: a summary and a
/// declared, described tag on every operation, a 4xx on every operation (each can refuse), servers without a trailing
/// slash, and a stated security requirement. And the reference page serves it.
/// </summary>
public sealed class OpenApiDocument_Specs : IAsyncLifetime, IDisposable
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private JsonElement _document;

    public async Task InitializeAsync()
    {
        _app = MicroCommsApp.Build(new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Host:Services"] = "all",
            ["MicroComms:Host:DataDirectory"] = MicroComms.Testing.TestFiles.Path($"openapi-{Guid.NewGuid():N}"),
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(_app)[0], Timeout = TimeSpan.FromSeconds(30) };
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        _document = document.RootElement.Clone();
    }

    [Fact]
    public void Every_operation_has_a_summary_a_description_an_operation_id_and_a_tag()
    {
        Assert.NotEmpty(Operations());
        Assert.All(Operations(), o =>
        {
            Assert.False(string.IsNullOrWhiteSpace(Text(o.Operation, "summary")), $"{o.Name}: no summary");
            Assert.False(string.IsNullOrWhiteSpace(Text(o.Operation, "description")), $"{o.Name}: no description");
            Assert.False(string.IsNullOrWhiteSpace(Text(o.Operation, "operationId")), $"{o.Name}: no operationId");
            Assert.True(o.Operation.TryGetProperty("tags", out var tags) && tags.GetArrayLength() > 0, $"{o.Name}: no tag");
        });
    }

    [Fact]
    public void Every_tag_an_operation_uses_is_declared_with_a_description()
    {
        var declared = _document.GetProperty("tags").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => Text(t, "description"));

        var used = Operations().SelectMany(o => o.Operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)).Distinct();

        Assert.All(used, tag =>
        {
            Assert.True(declared.ContainsKey(tag), $"tag {tag} is not declared");
            Assert.False(string.IsNullOrWhiteSpace(declared[tag]), $"tag {tag} has no description");
        });
    }

    [Fact]
    public void Every_operation_documents_a_4xx_answer_and_every_answer_says_what_it_is()
    {
        Assert.All(Operations(), o =>
        {
            var responses = o.Operation.GetProperty("responses").EnumerateObject().ToList();
            Assert.Contains(responses, r => r.Name.StartsWith('4'));
            Assert.All(responses, r => Assert.False(string.IsNullOrWhiteSpace(Text(r.Value, "description")), $"{o.Name} {r.Name}: no description"));
        });
    }

    [Fact]
    public void The_restock_endpoint_is_described_with_its_refusals()
    {
        var restock = Assert.Single(Operations(), o => o.Name == "post /inventory/{sku}/restock");

        var codes = restock.Operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();

        Assert.Equal(["200", "400", "404", "409", "415"], codes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Servers_have_no_trailing_slash_and_the_document_states_that_no_credentials_are_asked_for()
    {
        var servers = _document.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("url").GetString()!).ToList();
        var security = _document.GetProperty("security");
        var info = _document.GetProperty("info");

        Assert.NotEmpty(servers);
        Assert.All(servers, url => Assert.False(url.EndsWith('/'), $"server {url} ends with a slash"));

        // [{}]: one requirement that needs nothing, OpenAPI's way to say "no authentication"; the reason is in the description.
        Assert.Equal(JsonValueKind.Object, Assert.Single(security.EnumerateArray()).ValueKind);
        Assert.Empty(security[0].EnumerateObject());
        Assert.Contains("trusted network", Text(info, "description"), StringComparison.Ordinal);
        Assert.Equal("MicroComms Gateway", Text(info, "title"));
    }

    [Fact]
    public async Task The_API_reference_page_serves_the_document_with_scripts_from_the_process_and_no_calls_to_its_vendor()
    {
        using var page = await _http.GetAsync(new Uri("/scalar/v1", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        using var script = await _http.GetAsync(new Uri("/scalar/scalar.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", html, StringComparison.Ordinal);
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src=\"http", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public void The_health_endpoints_and_the_reference_page_are_not_operations_of_the_API()
    {
        var paths = _document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Equal(
            ["/inventory/{sku}/restock", "/orders", "/orders/{id}", "/orders/{id}/cancel", "/stock/{sku}"],
            paths.Order(StringComparer.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public void Dispose() => _http.Dispose();

    private List<(string Name, JsonElement Operation)> Operations() =>
        _document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => ($"{m.Name} {p.Name}", m.Value)))
            .ToList();

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
