using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// Only the inbox and outbox tables of a service's database: what operator tools open, without composing the service.
/// It never creates a schema; the service's own DbContext does that at start-up.
/// </summary>
public sealed class OutboxDbContext(DbContextOptions<OutboxDbContext> options) : DbContext(options)
{
    /// <summary>Opens an existing database on <paramref name="store"/> with the same per-connection settings the services use.</summary>
    public static OutboxDbContext Open(StoreKind store, string connectionString) =>
        new(StoreRegistration.OptionsFor<OutboxDbContext>(store, connectionString));

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddMicroCommsOutbox();
}
