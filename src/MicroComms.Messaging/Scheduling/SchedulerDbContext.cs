using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Scheduling;

/// <summary>The scheduler's own small database: one table of messages waiting for their time.</summary>
public sealed class SchedulerDbContext(DbContextOptions<SchedulerDbContext> options) : DbContext(options)
{
    public DbSet<ScheduledMessageRow> ScheduledMessages => Set<ScheduledMessageRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var row = modelBuilder.Entity<ScheduledMessageRow>();
        row.ToTable("scheduled_messages");
        row.HasKey(x => x.TokenId);
        row.Property(x => x.TokenId).HasColumnName("token_id");
        row.Property(x => x.DueAt).HasColumnName("due_at");
        row.Property(x => x.Destination).HasColumnName("destination");
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
        row.Property(x => x.Headers).HasColumnName("headers");
        row.Property(x => x.Properties).HasColumnName("properties");
        row.Property(x => x.CreatedAt).HasColumnName("created_at");
        row.Property(x => x.LockToken).HasColumnName("lock_token");
        row.Property(x => x.LockedUntil).HasColumnName("locked_until");
        row.HasIndex(x => x.DueAt).HasDatabaseName("ix_scheduled_messages_due_at");
    }
}
