using MicroComms.Messaging;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>The benchmark service's own database: its order rows plus the outbox and inbox tables.</summary>
public sealed class OutboxBenchDbContext(DbContextOptions<OutboxBenchDbContext> options) : DbContext(options)
{
    public DbSet<BenchOrder> Orders => Set<BenchOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BenchOrder>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
        });
        modelBuilder.AddMicroCommsOutbox();
    }
}
