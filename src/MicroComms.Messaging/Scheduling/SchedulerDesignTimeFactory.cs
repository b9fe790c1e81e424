using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// For <c>dotnet ef</c>: SchedulerDbContext on the store named after <c>--</c>, e.g.
/// <c>dotnet ef migrations add NAME --project src/MicroComms.Messaging -- --store postgres</c>.
/// </summary>
internal sealed class SchedulerDesignTimeFactory : StoreDesignTimeFactory<SchedulerDbContext>
{
    protected override SchedulerDbContext Create(DbContextOptions<SchedulerDbContext> options) => new(options);
}
