using MicroComms.Benchmarks.Scenarios.Outbox;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Benchmarks.Scenarios.PeerOutbox;

/// <summary>
/// The Wolverine peer's own database: the same order rows as <see cref="OutboxBenchDbContext"/>. Wolverine's envelope
/// tables are mapped into it by AddDbContextWithWolverineIntegration, so its outbox rows go in EF's own batch.
/// </summary>
public sealed class PeerOutboxDbContext(DbContextOptions<PeerOutboxDbContext> options) : DbContext(options)
{
    /// <summary>Created by <see cref="PeerOutboxStore"/> before the host starts: EnsureCreated would also create Wolverine's tables, which Wolverine builds itself.</summary>
    public const string OrdersTable = "bench_orders";

    public DbSet<BenchOrder> Orders => Set<BenchOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BenchOrder>(e =>
        {
            e.ToTable(OrdersTable);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.Sku).HasColumnName("sku");
            e.Property(x => x.Quantity).HasColumnName("quantity");
            e.Property(x => x.Sequence).HasColumnName("sequence");
        });
    }
}
