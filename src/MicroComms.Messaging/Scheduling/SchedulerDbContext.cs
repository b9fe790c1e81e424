using MicroComms.Messaging.Sqlite;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Scheduling;

/// <summary>The scheduler's own small database: one table of messages waiting for their time.</summary>
public sealed class SchedulerDbContext(DbContextOptions<SchedulerDbContext> options) : DbContext(options), ISqliteSchemaUpgrade
{
    private const string Table = "scheduled_messages";

    /// <summary>Columns added after the table's first version, with how an existing table gets them.</summary>
    private static readonly (string Column, string Definition)[] AddedColumns =
    [
        ("delivery_attempts", "INTEGER NOT NULL DEFAULT 0"),
        ("set_aside_at", "INTEGER NULL"),
        ("failure_reason", "TEXT NULL"),
    ];

    internal DbSet<ScheduledMessageRow> ScheduledMessages => Set<ScheduledMessageRow>();

    /// <summary>Opens a scheduler database with the same per-connection settings the services use (operator tools, tests).</summary>
    public static SchedulerDbContext Open(StoreKind store, string connectionString) =>
        new(StoreRegistration.OptionsFor<SchedulerDbContext>(store, connectionString));

    /// <summary>
    /// A scheduler.db written by EnsureCreated before the set-aside columns gets them here before it is recorded as at the
    /// first migration: added with defaults that mean "in line, never failed", so its waiting rows are kept and sent as before.
    /// </summary>
    async Task ISqliteSchemaUpgrade.UpgradeSchemaAsync(CancellationToken cancellationToken)
    {
        var existing = await Database.SqlQueryRaw<string>($"SELECT name AS Value FROM pragma_table_info('{Table}')")
            .ToListAsync(cancellationToken);
        foreach (var (column, definition) in AddedColumns.Where(c => !existing.Contains(c.Column, StringComparer.OrdinalIgnoreCase)))
        {
#pragma warning disable EF1002 // Names and definitions are the constants above, never input.
            await Database.ExecuteSqlRawAsync($"ALTER TABLE {Table} ADD COLUMN {column} {definition};", cancellationToken);
#pragma warning restore EF1002
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var row = modelBuilder.Entity<ScheduledMessageRow>();
        row.ToTable(Table);
        row.HasKey(x => x.TokenId);

        // The table's columns are its properties' names in snake_case, as the table was first written, except the two
        // where the shared envelope names a column differently.
        foreach (var property in row.Metadata.GetProperties())
        {
            property.SetColumnName(SnakeCase(property.Name));
        }

        row.Property(x => x.DestinationAddress).HasColumnName("destination").IsRequired();
        row.Property(x => x.Headers).IsRequired();
        row.Property(x => x.Properties).IsRequired();

        // Unix milliseconds on disk, as the table was first written.
        row.Property(x => x.SentTime).HasColumnName("created_at").HasConversion(
            v => new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
            v => DateTimeOffset.FromUnixTimeMilliseconds(v).UtcDateTime);

        row.HasIndex(x => x.DueAt).HasDatabaseName("ix_scheduled_messages_due_at");
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
