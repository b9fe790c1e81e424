using MicroComms.Messaging;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.WidgetService;

public sealed class OutboxTestDbContext(DbContextOptions<OutboxTestDbContext> options) : DbContext(options)
{
    public DbSet<Widget> Widgets => Set<Widget>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddMicroCommsOutbox();
}
