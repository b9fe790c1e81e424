using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Payments;

/// <summary>
/// For <c>dotnet ef</c>: PaymentsDbContext on the store named after <c>--</c>, e.g.
/// <c>dotnet ef migrations add NAME --project src/MicroComms.Payments -- --store postgres</c>.
/// </summary>
public sealed class PaymentsDesignTimeFactory : StoreDesignTimeFactory<PaymentsDbContext>
{
    protected override PaymentsDbContext Create(DbContextOptions<PaymentsDbContext> options) => new(options);
}
