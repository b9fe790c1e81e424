using MicroComms.Messaging;
using MicroComms.Messaging.Sagas;
using MicroComms.Orders.Saga;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Orders;

public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : DbContext(options)
{
    /// <summary>The customers seeded into every new Orders database (the demo and the tests use them).</summary>
    public static readonly IReadOnlyList<Customer> SeedCustomers =
    [
        new() { Id = "alice", Name = "Alice" },
        new() { Id = "bob", Name = "Bob" },
        new() { Id = "carol", Name = "Carol" },
        new() { Id = "dave", Name = "Dave" },
        new() { Id = "erin", Name = "Erin" },
    ];

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<Customer> Customers => Set<Customer>();

    /// <summary>The order workflows, one row per order (see <see cref="OrderStateMachine"/>).</summary>
    public DbSet<OrderState> OrderSagas => Set<OrderState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMicroCommsOutbox();
        modelBuilder.Entity<Order>(order =>
        {
            order.HasKey(o => o.Id);
            order.Property(o => o.CustomerId).HasMaxLength(64);
            // SQLite has no decimal type; TEXT keeps money exact (REAL would not).
            order.Property(o => o.Total).HasConversion<string>();
            order.HasMany(o => o.Items).WithOne().HasForeignKey(i => i.OrderId);
        });
        modelBuilder.Entity<OrderItem>(item =>
        {
            item.HasKey(i => i.Id);
            item.Property(i => i.Sku).HasMaxLength(64);
            item.Property(i => i.UnitPrice).HasConversion<string>();
        });
        modelBuilder.AddSagaState<OrderState>(saga =>
        {
            saga.ToTable("OrderSagas");
            saga.Property(x => x.CustomerId).HasMaxLength(64);
            saga.Property(x => x.Total).HasConversion<string>();
            saga.Property(x => x.Transitions).HasConversion(OrderStateTransitionsColumn.Converter, OrderStateTransitionsColumn.Comparer);
        });
        modelBuilder.Entity<Customer>(customer =>
        {
            customer.HasKey(c => c.Id);
            customer.HasData(SeedCustomers);
        });
    }
}
