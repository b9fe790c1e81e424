using MicroComms.Host;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;

namespace MicroComms.IntegrationTests;

/// <summary>
/// Services started the way separate processes start them (the Host's composition, one service each), over
/// RabbitMQ in one virtual host, each with its own data folder; disposed in reverse order.
/// </summary>
public sealed class ServiceProcesses(RabbitMqNode node, string virtualHost) : IAsyncDisposable
{
    private readonly List<WebApplication> _started = [];
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "microcomms-it-" + Guid.NewGuid().ToString("N")[..12]);

    public async Task<WebApplication> StartAsync(string services)
    {
        var settings = node.Settings(virtualHost);
        settings["MicroComms:Host:Services"] = services;
        settings["MicroComms:Host:DataDirectory"] = Path.Combine(_dataRoot, services.Replace(',', '-'));
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["MicroComms:Host:GrpcUrl"] = "";
        settings["MicroComms:Retry:ImmediateLimit"] = "1";
        settings["MicroComms:Payments:TransientFailureRate"] = "0";
        settings["Logging:LogLevel:Default"] = "Warning";

        var app = MicroCommsApp.Build(settings);
        _started.Add(app);
        await app.StartAsync();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync();
            await _started[i].DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataRoot))
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
    }
}
