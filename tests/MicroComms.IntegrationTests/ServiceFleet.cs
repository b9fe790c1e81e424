using MicroComms.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.IntegrationTests;

/// <summary>
/// Every service in a host of its own, as in production, each with its own data folder and a free port; the Gateway is
/// started last. Disposing stops them in reverse order.
/// </summary>
internal sealed class ServiceFleet : IAsyncDisposable
{
    private readonly List<WebApplication> _hosts = [];

    /// <summary>The Gateway's HTTP address.</summary>
    public Uri GatewayAddress => MicroCommsApp.HttpAddresses(_hosts[^1])[0];

    /// <summary>
    /// Starts one host per service from <paramref name="settingsFor"/>'s settings for it (the broker, the service's own
    /// options), adding its name, a data folder under <paramref name="dataFolder"/> and a free port.
    /// </summary>
    public static async Task<ServiceFleet> StartAsync(
        string dataFolder,
        Func<string, Dictionary<string, string?>> settingsFor,
        Action<IServiceCollection>? configureServices = null)
    {
        var fleet = new ServiceFleet();
        try
        {
            foreach (var service in ServiceNames.All)
            {
                var settings = settingsFor(service);
                settings["MicroComms:Host:Services"] = service;
                settings["MicroComms:Host:DataDirectory"] = Path.Combine(dataFolder, service);
                settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
                settings["MicroComms:Host:GrpcUrl"] = "";
                var app = MicroCommsApp.Build(settings, configureServices);
                fleet._hosts.Add(app);
                await app.StartAsync();
            }

            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(_hosts))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
