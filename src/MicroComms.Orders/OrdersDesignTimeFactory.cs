using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Orders;

/// <summary>
/// For <c>dotnet ef</c>: OrdersDbContext on the store named after <c>--</c>, e.g.
/// <c>dotnet ef migrations add NAME --project src/MicroComms.Orders -- --store postgres</c>.
/// </summary>
public sealed class OrdersDesignTimeFactory : StoreDesignTimeFactory<OrdersDbContext>
{
    protected override OrdersDbContext Create(DbContextOptions<OrdersDbContext> options) => new(options);
}
