using MicroComms.Messaging;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Notifications;

public sealed class NotificationsDbContext(DbContextOptions<NotificationsDbContext> options) : DbContext(options)
{
    public DbSet<Notification> Notifications => Set<Notification>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.AddMicroCommsOutbox().Entity<Notification>(n =>
        {
            // The key is the idempotency rule: one notification per order and kind.
            n.HasKey(x => new { x.OrderId, x.Kind });
            n.Property(x => x.Kind).HasMaxLength(32);
        });
}
