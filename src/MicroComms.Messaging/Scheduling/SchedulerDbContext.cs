using MicroComms.Messaging.Sqlite;
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
    public static SchedulerDbContext ForSqlite(string connectionString) =>
        new(new DbContextOptionsBuilder<SchedulerDbContext>()
            .UseSqlite(connectionString)
            .AddInterceptors(SqliteConnectionPragmas.Instance)
            .Options);

    /// <summary>
    /// EnsureCreated leaves an existing file as it is, so a scheduler.db written before the set-aside columns gets them
    /// here: added with defaults that mean "in line, never failed", so its waiting rows are kept and sent as before.
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
        row.Property(x => x.TokenId).HasColumnName("token_id");
        row.Property(x => x.DueAt).HasColumnName("due_at");
        row.Property(x => x.DestinationAddress).HasColumnName("destination").IsRequired();
        row.Property(x => x.MessageId).HasColumnName("message_id");
        row.Property(x => x.ContentType).HasColumnName("content_type");
        row.Property(x => x.MessageType).HasColumnName("message_type");
        row.Property(x => x.Body).HasColumnName("body");
        row.Property(x => x.CorrelationId).HasColumnName("correlation_id");
        row.Property(x => x.ConversationId).HasColumnName("conversation_id");
        row.Property(x => x.InitiatorId).HasColumnName("initiator_id");
        row.Property(x => x.RequestId).HasColumnName("request_id");
        row.Property(x => x.SourceAddress).HasColumnName("source_address");
        row.Property(x => x.ResponseAddress).HasColumnName("response_address");
        row.Property(x => x.FaultAddress).HasColumnName("fault_address");
        row.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
        row.Property(x => x.Headers).HasColumnName("headers").IsRequired();
        row.Property(x => x.Properties).HasColumnName("properties").IsRequired();

        // Unix milliseconds on disk, as the table was first written.
        row.Property(x => x.SentTime).HasColumnName("created_at").HasConversion(
            v => new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
            v => DateTimeOffset.FromUnixTimeMilliseconds(v).UtcDateTime);
        row.Property(x => x.LockToken).HasColumnName("lock_token");
        row.Property(x => x.LockedUntil).HasColumnName("locked_until");
        row.Property(x => x.DeliveryAttempts).HasColumnName("delivery_attempts");
        row.Property(x => x.SetAsideAt).HasColumnName("set_aside_at");
        row.Property(x => x.FailureReason).HasColumnName("failure_reason");
        row.HasIndex(x => x.DueAt).HasDatabaseName("ix_scheduled_messages_due_at");
    }
}
