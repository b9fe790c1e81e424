using System.Net.Http.Json;
using System.Text;
using MicroComms.Gateway;
using MicroComms.Host;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Tests;

/// <summary>
/// Refusals that only a real server makes (TestServer enforces neither the body limit nor the request-line limit),
/// in processes composed by <see cref="MicroCommsApp"/> on Kestrel at 127.0.0.1 and the in-memory transport: every
/// one is problem details, whichever services the process runs.
/// </summary>
public sealed class HttpRefusals_Specs
{
    private const int MaxTarget = 300;
    private const int MaxBody = 2_048;

    [Theory]
    [InlineData("gateway", "/orders")]
    [InlineData("inventory", "/inventory/KB-101/restock")]
    public async Task A_body_over_the_limit_is_413_problem_details_and_not_logged_as_an_error(string services, string path)
    {
        var errors = new LogCapture(LogLevel.Error, (_, _) => true);
        await using var process = await StartAsync(services, errors);
        using var http = new HttpClient { BaseAddress = process.Address };
        using var body = new StringContent($$"""{"customerId":"{{new string('a', 2 * MaxBody)}}"}""", Encoding.UTF8, "application/json");

        using var response = await http.PostAsync(path, body);

        await Gateway_Specs.AssertProblem(response, StatusCodes.Status413PayloadTooLarge);
        Assert.Empty(errors.Entries);
    }

    [Theory]
    [InlineData("gateway", "/stock/")]
    [InlineData("inventory", "/inventory/")]
    [InlineData("orders,payments,notifications", "/orders/")]
    public async Task A_path_over_the_limit_is_414_problem_details(string services, string prefix)
    {
        await using var process = await StartAsync(services);
        using var http = new HttpClient { BaseAddress = process.Address };

        // Longer than the application's limit, within Kestrel's own (twice as long), which would answer with no body.
        using var response = await http.GetAsync(prefix + new string('x', MaxTarget));

        await Gateway_Specs.AssertProblem(response, StatusCodes.Status414UriTooLong);
    }

    [Theory]
    [InlineData("inventory", "GET", "/nothing-here", 404)]
    [InlineData("inventory", "GET", "/inventory/KB-101/restock", 405)]
    [InlineData("orders,payments,notifications", "GET", "/orders/not-a-guid", 404)]
    [InlineData("gateway", "GET", "/orders/not-a-guid", 404)]
    public async Task A_process_running_any_services_answers_unknown_paths_and_methods_with_problem_details(
        string services, string method, string path, int status)
    {
        await using var process = await StartAsync(services);
        using var http = new HttpClient { BaseAddress = process.Address };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await http.SendAsync(request);

        await Gateway_Specs.AssertProblem(response, status);
    }

    [Fact]
    public async Task A_gateway_process_reads_a_valid_order_within_the_limits()
    {
        await using var process = await StartAsync("all");
        using var http = new HttpClient { BaseAddress = process.Address };

        using var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(null, "alice", [new PlaceOrderLine("KB-101", 1, 10m)]));

        Assert.Equal(StatusCodes.Status202Accepted, (int)response.StatusCode);
    }

    private static async Task<Process> StartAsync(string services, ILoggerProvider? logs = null)
    {
        var data = TestFiles.Path($"http-refusals-{Guid.NewGuid():N}");
        var app = MicroCommsApp.Build(new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Host:Services"] = services,
            ["MicroComms:Host:DataDirectory"] = data,
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(data, "scheduler.db")}",
            ["MicroComms:Http:MaxRequestTargetLength"] = MaxTarget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MicroComms:Http:MaxRequestBodySize"] = MaxBody.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (logs is not null)
        {
            app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        }

        await app.StartAsync();
        return new Process(app, MicroCommsApp.HttpAddresses(app)[0]);
    }

    private sealed record Process(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
