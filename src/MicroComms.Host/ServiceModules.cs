using MicroComms.Gateway;
using MicroComms.Inventory;
using MicroComms.Messaging.Stores;
using MicroComms.Notifications;
using MicroComms.Orders;
using MicroComms.Orders.DirectCalls;
using MicroComms.Payments;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Host;

/// <summary>
/// The services a MicroComms process can run, in one table: the Host's composition, <see cref="ServiceNames"/>,
/// <see cref="ServiceDatabases"/> and the test hosts all read it.
/// </summary>
public static class ServiceModules
{
    public static readonly IReadOnlyList<ServiceModule> All =
    [
        new(ServiceNames.Orders, (s, c) => s.AddOrders(c), x => x.AddOrders(), OrdersRegistration.DatabaseName,
            app => app.MapOrdersDirectCalls(), Database<OrdersDbContext>(o => new(o)), ServesGrpc: true),
        new(ServiceNames.Inventory, (s, c) => s.AddInventory(c), x => x.AddInventory(), InventoryRegistration.DatabaseName,
            app => app.MapInventoryEndpoints(), Database<InventoryDbContext>(o => new(o))),
        new(ServiceNames.Payments, (s, c) => s.AddPayments(c), x => x.AddPayments(), PaymentsRegistration.DatabaseName,
            OpenDatabase: Database<PaymentsDbContext>(o => new(o))),
        new(ServiceNames.Notifications, (s, c) => s.AddNotifications(c), x => x.AddNotifications(), NotificationsRegistration.DatabaseName,
            OpenDatabase: Database<NotificationsDbContext>(o => new(o))),
        new(ServiceNames.Gateway, (s, c) => s.AddGateway(c), x => x.AddGateway(), MapEndpoints: app => app.MapGateway(), ServesGrpc: true),
    ];

    /// <summary>Opens a service's context on a store with the settings the service uses.</summary>
    private static Func<StoreKind, string, DbContext> Database<TContext>(Func<DbContextOptions<TContext>, TContext> create)
        where TContext : DbContext =>
        (store, connectionString) => create(StoreRegistration.OptionsFor<TContext>(store, connectionString));

    /// <summary>The modules of the services named (see <see cref="ServiceNames.Parse"/>), in the table's order.</summary>
    public static IReadOnlyList<ServiceModule> Named(IReadOnlySet<string> names) => All.Where(m => names.Contains(m.Name)).ToList();

    /// <summary>Whether a process running these services listens for gRPC (the Gateway's front door, Orders' direct calls).</summary>
    public static bool ServeGrpc(IReadOnlySet<string> names) => Named(names).Any(m => m.ServesGrpc);
}
