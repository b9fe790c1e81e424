using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Notifications;

/// <summary>
/// For <c>dotnet ef</c>: NotificationsDbContext on the store named after <c>--</c>, e.g.
/// <c>dotnet ef migrations add NAME --project src/MicroComms.Notifications -- --store postgres</c>.
/// </summary>
public sealed class NotificationsDesignTimeFactory : StoreDesignTimeFactory<NotificationsDbContext>
{
    protected override NotificationsDbContext Create(DbContextOptions<NotificationsDbContext> options) => new(options);
}
