using MicroComms.Host;
using MicroComms.Testing;
using Microsoft.Data.Sqlite;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>
/// MicroComms services composed exactly as the <c>microcomms</c> executable composes them (MicroCommsApp, one service
/// per host, as separate processes would run them), and the bench's own bus hosts beside them: one virtual host, one
/// temporary data folder for every SQLite file, both gone once the hosts are disposed. <paramref name="storeSettings"/>
/// (the store and connection strings, when not the SQLite files) apply to every host.
/// </summary>
public sealed class ServiceHosts(RabbitMqNode node, string virtualHost, IReadOnlyDictionary<string, string?>? storeSettings = null) : IAsyncDisposable
{
    private readonly List<IHost> _started = [];

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "microcomms-bench-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>
    /// RabbitMQ in the scenario's virtual host and the scheduler table every host shares (as one deployment's
    /// services do), so that nothing is written under the working directory.
    /// </summary>
    public Dictionary<string, string?> BusSettings()
    {
        var settings = node.Settings(virtualHost);
        settings["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(DataDirectory, "scheduler.db")}";
        foreach (var (key, value) in storeSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// Starts one service (orders, inventory, payments, notifications or gateway) with the shipped appsettings.json,
    /// HTTP/1.1 on a free loopback port, no gRPC port unless <paramref name="overrides"/> names one;
    /// <paramref name="configureServices"/> goes to <see cref="MicroCommsApp.Build"/> (e.g. telemetry exporters).
    /// </summary>
    public async Task<WebApplication> StartServiceAsync(
        string service, IReadOnlyDictionary<string, string?> overrides, CancellationToken cancellationToken, Action<IServiceCollection>? configureServices = null)
    {
        var settings = BusSettings();
        settings["MicroComms:Host:Services"] = service;
        settings["MicroComms:Host:DataDirectory"] = Path.Combine(DataDirectory, service);
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["MicroComms:Host:GrpcUrl"] = "";
        // Information would log every order of every round to the console, and the console would be measured.
        settings["Logging:LogLevel:Default"] = "Warning";
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        var app = MicroCommsApp.Build(settings, configureServices);
        _started.Add(app);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>
    /// Starts a bench host (a responder, a listener) on the same broker and scheduler as the services, with
    /// <paramref name="overrides"/> over its settings (e.g. <c>MicroComms:Serializer</c>).
    /// </summary>
    public async Task<IHost> StartHostAsync(
        Action<IServiceCollection, IConfiguration> configure, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = BusSettings();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var host = BenchHost.Build(settings, configure);
        _started.Add(host);
        await host.StartAsync(cancellationToken);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync();
            if (_started[i] is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            else
            {
                _started[i].Dispose();
            }
        }

        _started.Clear();
        // Pooled connections keep the database files open; the folder can only go once they are closed.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
