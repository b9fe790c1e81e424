using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Inventory;

/// <summary>
/// For <c>dotnet ef</c>: InventoryDbContext on the store named after <c>--</c>, e.g.
/// <c>dotnet ef migrations add NAME --project src/MicroComms.Inventory -- --store postgres</c>.
/// </summary>
public sealed class InventoryDesignTimeFactory : StoreDesignTimeFactory<InventoryDbContext>
{
    protected override InventoryDbContext Create(DbContextOptions<InventoryDbContext> options) => new(options);
}
