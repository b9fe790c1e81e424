using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicroComms.Messaging.Sagas;

public static class SagaStateModelBuilderExtensions
{
    /// <summary>Longest state name stored; state names are the state machine's property names.</summary>
    public const int StateNameMaxLength = 64;

    /// <summary>
    /// Maps a saga state for <see cref="SagaRepositoryRegistration"/>: <c>CorrelationId</c> as the primary
    /// key (assigned by the saga, never generated; its uniqueness is what turns two racing initial events into one
    /// row), <c>Version</c> as the concurrency token the repository increments on every write (EF's RowVersion is
    /// not generated on SQLite), and a string <c>CurrentState</c> column, indexed for status queries.
    /// <paramref name="configure"/> maps the rest (lengths, indexes for correlate-by-expression events).
    /// </summary>
    public static EntityTypeBuilder<TSaga> AddSagaState<TSaga>(this ModelBuilder modelBuilder, Action<EntityTypeBuilder<TSaga>>? configure = null)
        where TSaga : class, ISagaVersion
    {
        var entity = modelBuilder.Entity<TSaga>();
        entity.HasKey(x => x.CorrelationId);
        entity.Property(x => x.CorrelationId).ValueGeneratedNever();
        entity.Property(x => x.Version).IsConcurrencyToken();

        if (typeof(TSaga).GetProperty("CurrentState")?.PropertyType == typeof(string))
        {
            entity.Property<string>("CurrentState").HasMaxLength(StateNameMaxLength);
            entity.HasIndex("CurrentState");
        }

        configure?.Invoke(entity);
        return entity;
    }
}
