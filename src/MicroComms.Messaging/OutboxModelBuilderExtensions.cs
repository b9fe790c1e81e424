using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging;

public static class OutboxModelBuilderExtensions
{
    /// <summary>
    /// Adds the inbox and outbox tables (<c>InboxState</c>, <c>OutboxMessage</c>, <c>OutboxState</c>) to a service's
    /// DbContext. Call from <c>OnModelCreating</c>; the context's migrations create them (add one for each store after a change here).
    /// </summary>
    public static ModelBuilder AddMicroCommsOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InboxState>(e =>
        {
            e.ToTable("InboxState");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.HasIndex(x => new { x.MessageId, x.ConsumerId }).IsUnique();

            // The cleanup service deletes delivered rows by age.
            e.HasIndex(x => x.Delivered);
        });

        modelBuilder.Entity<OutboxState>(e =>
        {
            e.ToTable("OutboxState");
            e.HasKey(x => x.OutboxId);
            e.Property(x => x.OutboxId).ValueGeneratedNever();
            e.HasIndex(x => x.Created);
        });

        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("OutboxMessage");
            e.HasKey(x => x.SequenceNumber);
            e.Property(x => x.SequenceNumber).ValueGeneratedOnAdd();
            e.Property(x => x.ContentType).HasMaxLength(256);
            e.Property(x => x.MessageType).IsRequired();
            e.Property(x => x.Body).IsRequired();
            e.HasIndex(x => new { x.InboxMessageId, x.InboxConsumerId, x.SequenceNumber }).IsUnique();
            e.HasIndex(x => new { x.OutboxId, x.SequenceNumber }).IsUnique();
            e.HasIndex(x => x.SetAside);
        });

        return modelBuilder;
    }
}
