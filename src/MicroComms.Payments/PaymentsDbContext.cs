using MicroComms.Messaging;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Payments;

public sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public DbSet<Charge> Charges => Set<Charge>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMicroCommsOutbox();
        modelBuilder.Entity<Charge>(charge =>
        {
            charge.HasKey(c => c.OrderId);
            // SQLite has no decimal type; TEXT keeps money exact.
            charge.Property(c => c.Amount).HasConversion<string>();
        });
    }
}
