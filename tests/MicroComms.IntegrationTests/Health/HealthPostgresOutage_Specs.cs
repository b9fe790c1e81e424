using System.Net;
using System.Text.Json;
using MicroComms.Host;
using MicroComms.Host.Health;
using MicroComms.Messaging.Stores;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests.Health;

/// <summary>
/// <c>/health/ready</c> of a service on PostgreSQL tells the truth about its database: a private server stopped under
/// it turns ready 503, naming the store checks with the driver's reason; started again, the same process is ready.
/// </summary>
[Trait("Needs", "Postgres")]
public sealed class HealthPostgresOutage_Specs
{
    private static readonly TimeSpan FlipBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ready_goes_unhealthy_naming_the_store_when_PostgreSQL_stops_and_healthy_again_when_it_returns()
    {
        await using var server = await PostgresServer.StartPrivateAsync();
        var orders = await server.CreateDatabaseAsync("health_orders");
        var scheduler = await server.CreateDatabaseAsync("health_scheduler");
        await using var app = MicroCommsApp.Build(new Dictionary<string, string?>
        {
            [StoreRegistration.StoreKey] = "Postgres",
            [StoreSchema.MigrateAtStartKey] = "true",
            ["ConnectionStrings:Orders"] = orders,
            ["ConnectionStrings:Scheduler"] = scheduler,
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Host:Services"] = "orders",
            ["MicroComms:Host:DataDirectory"] = TestFiles.Path($"health-pg-{Guid.NewGuid():N}"),
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["Logging:LogLevel:Default"] = "Critical",
        });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(app)[0], Timeout = TimeSpan.FromSeconds(10) };
            await WaitForAsync(http, HttpStatusCode.OK);

            await server.StopAsync();
            var down = await WaitForAsync(http, HttpStatusCode.ServiceUnavailable);
            await server.StartAgainAsync();
            var back = await WaitForAsync(http, HttpStatusCode.OK);

            var store = Check(down, "orders-store");
            Assert.Equal("Unhealthy", store.GetProperty("health").GetString());
            Assert.False(string.IsNullOrWhiteSpace(store.GetProperty("reason").GetString()));
            Assert.Equal("Unhealthy", Check(down, "scheduler-store").GetProperty("health").GetString());
            Assert.Equal("Healthy", Check(down, "bus").GetProperty("health").GetString());
            Assert.Equal("Healthy", Check(back, "orders-store").GetProperty("health").GetString());
        }
        finally
        {
            await app.StopAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient http, HttpStatusCode status)
    {
        JsonElement body = default;
        await Poll.Until(async () =>
        {
            using var response = await http.GetAsync(new Uri(HealthEndpoints.ReadyPath, UriKind.Relative));
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            body = document.RootElement.Clone();
            return response.StatusCode == status;
        }, FlipBound, $"/health/ready answers {(int)status}");
        return body;
    }

    private static JsonElement Check(JsonElement report, string name) =>
        report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}
