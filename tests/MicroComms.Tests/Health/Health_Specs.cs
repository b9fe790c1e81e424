using System.Net;
using System.Text.Json;
using MicroComms.Host;
using MicroComms.Host.Health;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace MicroComms.Tests.Health;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c> of a Host process (in memory, SQLite): which checks ready runs, and that
/// each turns the answer when its cause happens. The broker's part is <c>HealthBrokerOutage_Specs</c> (a real node).
/// </summary>
public sealed class Health_Specs : IAsyncLifetime, IDisposable
{
    private readonly string _data = TestFiles.Path($"health-{Guid.NewGuid():N}");
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = MicroCommsApp.Build(new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Host:Services"] = "orders",
            ["MicroComms:Host:DataDirectory"] = _data,
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["MicroComms:Health:OutboxStuckAfter"] = "00:01:00",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(_app)[0], Timeout = TimeSpan.FromSeconds(30) };
    }

    [Fact]
    public async Task Live_answers_200_without_running_a_check()
    {
        var (status, body) = await GetAsync(HealthEndpoints.LivePath);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("health").GetString());
        Assert.Equal(0, body.GetProperty("checks").GetArrayLength());
    }

    [Fact]
    public async Task Ready_runs_the_bus_check_and_each_database_s_store_and_outbox_checks_with_a_reason_each()
    {
        var (status, body) = await GetAsync(HealthEndpoints.ReadyPath);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("health").GetString());
        var checks = Checks(body);
        Assert.Equal(
            ["bus", "orders-outbox", "orders-store", "scheduler-store"],
            checks.Keys.Order(StringComparer.Ordinal));
        Assert.All(checks.Values, c => Assert.Equal("Healthy", c.GetProperty("health").GetString()));
        Assert.All(checks.Values, c => Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("reason").GetString())));
    }

    [Fact]
    public async Task A_message_due_longer_than_OutboxStuckAfter_makes_ready_Degraded_still_200_and_a_delayed_one_does_not()
    {
        await AddOutboxRowAsync(written: DateTime.UtcNow.AddMinutes(-10), due: DateTime.UtcNow.AddHours(1));
        var (_, before) = await GetAsync(HealthEndpoints.ReadyPath);

        await AddOutboxRowAsync(written: DateTime.UtcNow.AddMinutes(-2), due: null);
        var (status, after) = await GetAsync(HealthEndpoints.ReadyPath);

        Assert.Equal("Healthy", Checks(before)["orders-outbox"].GetProperty("health").GetString());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", after.GetProperty("health").GetString());
        var outbox = Checks(after)["orders-outbox"];
        Assert.Equal("Degraded", outbox.GetProperty("health").GetString());
        Assert.Contains("OutboxStuckAfter", outbox.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(outbox.GetProperty("data").GetProperty("oldestPendingSeconds").GetDouble() >= 120);
    }

    [Fact]
    public async Task A_store_that_cannot_be_opened_makes_ready_503_problem_details_naming_it_and_ready_returns_once_it_is_back()
    {
        var moved = _data + "-moved";
        Directory.Move(_data, moved);
        SqliteConnection.ClearAllPools();
        HttpResponseMessage down;
        try
        {
            down = await _http.GetAsync(new Uri(HealthEndpoints.ReadyPath, UriKind.Relative));
        }
        finally
        {
            Directory.Move(moved, _data);
        }

        var (status, back) = await GetAsync(HealthEndpoints.ReadyPath);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await down.Content.ReadAsStringAsync());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Unhealthy", problem.RootElement.GetProperty("health").GetString());
        var store = Checks(problem.RootElement)["orders-store"];
        Assert.Equal("Unhealthy", store.GetProperty("health").GetString());
        Assert.Contains("unable to open database file", store.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("orders-store: ", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", back.GetProperty("health").GetString());
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static Dictionary<string, JsonElement> Checks(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);

    /// <summary>A row no delivery pass will take (its owner has no state row): as stuck as a row gets.</summary>
    private async Task AddOutboxRowAsync(DateTime written, DateTime? due)
    {
        await using var db = OutboxDbContext.Open(StoreKind.Sqlite, $"Data Source={Path.Combine(_data, "orders.db")}");
        db.Add(new OutboxMessage
        {
            MessageId = Guid.NewGuid(),
            OutboxId = Guid.NewGuid(),
            DestinationAddress = new Uri("loopback://localhost/nowhere"),
            MessageType = "urn:message:MicroComms.Contracts:OrderSubmitted",
            ContentType = "application/vnd.masstransit+json",
            Body = "{}",
            SentTime = written,
            EnqueueTime = due,
        });
        await db.SaveChangesAsync();
    }
}
