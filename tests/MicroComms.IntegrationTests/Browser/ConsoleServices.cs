using MicroComms.Host;
using MicroComms.Host.WebConsole;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>
/// The order services and the console in one process, Payments in another (so it can be restarted with its cause
/// fixed), over RabbitMQ in a virtual host of their own. The console reads Payments' database where Payments keeps it.
/// A failed charge is not retried later: one immediate retry, no delayed redelivery, so it lands in
/// <c>charge-payment_error</c> within a second, and the orders wait ten minutes for their payment instead of timing out.
/// </summary>
public sealed class ConsoleServices : IAsyncDisposable
{
    /// <summary>The operator password; the console is given only its hash, as in production.</summary>
    public const string Password = "console-spec-password";

    private readonly RabbitMqNode _node;
    private readonly string _virtualHost;
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "microcomms-console-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<WebApplication> _started = [];
    private WebApplication? _payments;

    private ConsoleServices(RabbitMqNode node, string virtualHost)
    {
        _node = node;
        _virtualHost = virtualHost;
    }

    public string VirtualHost => _virtualHost;

    /// <summary>The console's origin (its pages are under /console), on a free port.</summary>
    public Uri Console { get; private set; } = null!;

    public Uri Gateway { get; private set; } = null!;

    public string OrdersConnectionString => $"Data Source={Path.Combine(_dataRoot, "services", "orders.db")}";

    private string PaymentsFolder => Path.Combine(_dataRoot, "payments");

    /// <param name="node">The broker.</param>
    /// <param name="virtualHost">A virtual host of the spec's own.</param>
    /// <param name="paymentsFail">Payments' provider fails every charge (transiently) until <see cref="FixPaymentsAsync"/>.</param>
    public static async Task<ConsoleServices> StartAsync(RabbitMqNode node, string virtualHost, bool paymentsFail)
    {
        var services = new ConsoleServices(node, virtualHost);
        try
        {
            await services.StartPaymentsAsync(paymentsFail ? 1.0 : 0.0);
            var app = await services.StartAsync(
                "orders,inventory,notifications,gateway,console",
                Path.Combine(services._dataRoot, "services"),
                new()
                {
                    ["ConnectionStrings:Payments"] = $"Data Source={Path.Combine(services.PaymentsFolder, "payments.db")}",
                    ["MicroComms:Console:PasswordHash"] = ConsolePassword.Hash(Password),
                    ["MicroComms:Console:OperatorName"] = "browser-spec",
                    ["MicroComms:Orders:PaymentTimeout"] = "00:10:00",
                });
            services.Gateway = MicroCommsApp.HttpAddresses(app)[0];
            services.Console = new Uri(MicroCommsApp.ConsoleAddress(app)!, "/");
            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>Restarts Payments with a provider that answers every charge: the operator's fix before a replay.</summary>
    public async Task FixPaymentsAsync()
    {
        // Stopped, not disposed: MassTransit keeps the first host's logger factory in its ambient log context (see Replay_Specs).
        await _payments!.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await StartPaymentsAsync(0.0);
    }

    private async Task StartPaymentsAsync(double failureRate) =>
        _payments = await StartAsync(
            ServiceNames.Payments,
            PaymentsFolder,
            new() { ["MicroComms:Payments:TransientFailureRate"] = failureRate.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private async Task<WebApplication> StartAsync(string services, string dataDirectory, Dictionary<string, string?> extra)
    {
        var settings = _node.Settings(_virtualHost);
        settings["MicroComms:Host:Services"] = services;
        settings["MicroComms:Host:DataDirectory"] = dataDirectory;
        settings["MicroComms:Host:Urls"] = "http://127.0.0.1:0";
        settings["MicroComms:Host:GrpcUrl"] = "";
        settings["MicroComms:Retry:ImmediateLimit"] = "1";
        settings["MicroComms:Retry:DelayedRedelivery"] = "false";
        settings["Logging:LogLevel:Default"] = "Warning";
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var app = MicroCommsApp.Build(settings);
        _started.Add(app);
        await app.StartAsync();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            try
            {
                await _started[i].StopAsync();
            }
            catch (OperationCanceledException)
            {
                // Already stopped (the Payments process a fix replaced).
            }

            await _started[i].DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataRoot))
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
    }
}
