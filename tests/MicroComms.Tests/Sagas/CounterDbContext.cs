using MicroComms.Messaging.Sagas;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Tests.Sagas;

public sealed class CounterDbContext(DbContextOptions<CounterDbContext> options) : DbContext(options)
{
    public const int NameMaxLength = 100;

    public DbSet<CounterState> Counters => Set<CounterState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddSagaState<CounterState>(b =>
        {
            b.Property(x => x.Name).HasMaxLength(NameMaxLength);
            b.Property(x => x.Tag).HasMaxLength(NameMaxLength);
            b.HasIndex(x => x.Name);
        });
    }
}
