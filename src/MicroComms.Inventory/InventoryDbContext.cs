using MicroComms.Messaging;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Inventory;

public sealed class InventoryDbContext(DbContextOptions<InventoryDbContext> options) : DbContext(options)
{
    /// <summary>The catalogue seeded into every new Inventory database.</summary>
    public static readonly IReadOnlyList<StockItem> SeedCatalogue =
    [
        new() { Sku = "KB-101", Name = "Mechanical keyboard", Available = 10_000 },
        new() { Sku = "MS-202", Name = "Wireless mouse", Available = 10_000 },
        new() { Sku = "MN-303", Name = "27-inch monitor", Available = 10_000 },
        new() { Sku = "HD-404", Name = "Headset", Available = 10_000 },
        new() { Sku = "CB-505", Name = "USB-C cable", Available = 10_000 },
    ];

    public DbSet<StockItem> Stock => Set<StockItem>();

    public DbSet<Reservation> Reservations => Set<Reservation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMicroCommsOutbox();
        modelBuilder.Entity<StockItem>(item =>
        {
            item.HasKey(s => s.Sku);
            item.Property(s => s.Sku).HasMaxLength(64);
            item.Property(s => s.Version).IsConcurrencyToken();
            item.HasData(SeedCatalogue);
        });
        modelBuilder.Entity<Reservation>(reservation =>
        {
            reservation.HasKey(r => r.OrderId);
            reservation.Property(r => r.State).HasMaxLength(16);
            reservation.HasMany(r => r.Lines).WithOne().HasForeignKey(l => l.OrderId);
        });
        modelBuilder.Entity<ReservationLine>().HasKey(l => l.Id);
    }
}
