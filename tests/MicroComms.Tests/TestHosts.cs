using MicroComms.Gateway;
using MicroComms.Host;
using MicroComms.Inventory;
using MicroComms.Notifications;
using MicroComms.Orders;
using MicroComms.Orders.DirectCalls;
using MicroComms.Payments;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests;

/// <summary>
/// Each service (or all of them) hosted through its own registration pair, as production composes it; those with HTTP
/// endpoints with the Host's HTTP conventions too (problem details, strict JSON, limits).
/// </summary>
internal static class TestHosts
{
    /// <summary>One immediate retry keeps failure tests fast while still exercising the retry path.</summary>
    public static readonly Dictionary<string, string?> FastRetry = new()
    {
        ["MicroComms:Retry:ImmediateLimit"] = "1",
        // Delayed redelivery (seconds to minutes) has its own specs (Retry_Specs); here a failure faults at once.
        ["MicroComms:Retry:DelayedRedelivery"] = "false",
        ["MicroComms:Retry:MinInterval"] = "00:00:00.010",
        ["MicroComms:Retry:MaxInterval"] = "00:00:00.050",
        ["MicroComms:Retry:IntervalDelta"] = "00:00:00.010",
        ["MicroComms:Payments:TransientFailureRate"] = "0",
    };

    public static Task<ServiceTestHost> Orders() =>
        ServiceTestHost.StartAsync(
            (s, c) => s.AddMicroCommsHttp(c).AddOrders(c), x => x.AddOrders(), ["Orders"], app => app.MapOrdersDirectCalls(), FastRetry,
            configureApp: app => app.UseMicroCommsHttp());

    public static Task<ServiceTestHost> Inventory() =>
        ServiceTestHost.StartAsync(
            (s, c) => s.AddMicroCommsHttp(c).AddInventory(c), x => x.AddInventory(), ["Inventory"], app => app.MapInventoryEndpoints(), FastRetry,
            configureApp: app => app.UseMicroCommsHttp());

    public static Task<ServiceTestHost> Payments(Dictionary<string, string?>? settings = null) =>
        ServiceTestHost.StartAsync((s, c) => s.AddPayments(c), x => x.AddPayments(), ["Payments"], settings: Merge(settings));

    public static Task<ServiceTestHost> Notifications() =>
        ServiceTestHost.StartAsync((s, c) => s.AddNotifications(c), x => x.AddNotifications(), ["Notifications"], settings: FastRetry);

    public static Task<ServiceTestHost> Gateway(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null) =>
        ServiceTestHost.StartAsync(
            (s, c) => s.AddMicroCommsHttp(c).AddGateway(c), x => x.AddGateway(), mapEndpoints: app => app.MapGateway(), settings: Merge(settings),
            configureServices: configureServices, configureApp: app => app.UseMicroCommsHttp());

    /// <summary>Every service and the gateway in one in-memory bus.</summary>
    public static Task<ServiceTestHost> Everything(Dictionary<string, string?>? settings = null) =>
        ServiceTestHost.StartAsync(
            (s, c) => s.AddMicroCommsHttp(c).AddOrders(c).AddInventory(c).AddPayments(c).AddNotifications(c).AddGateway(c),
            x => x.AddOrders().AddInventory().AddPayments().AddNotifications().AddGateway(),
            ["Orders", "Inventory", "Payments", "Notifications"],
            app =>
            {
                app.MapGateway();
                app.MapInventoryEndpoints();
                app.MapOrdersDirectCalls();
            },
            Merge(settings),
            configureApp: app => app.UseMicroCommsHttp());

    private static Dictionary<string, string?> Merge(Dictionary<string, string?>? settings)
    {
        var merged = new Dictionary<string, string?>(FastRetry);
        foreach (var (key, value) in settings ?? [])
        {
            merged[key] = value;
        }

        return merged;
    }
}
