using System.Diagnostics.Metrics;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using MicroComms.Messaging.Telemetry;
using MicroComms.Testing;
using MicroComms.Tests.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicroComms.Tests.Telemetry;

/// <summary>
/// The gauges' aggregate queries on each store: what they report for rows a spec wrote, read through a meter listener as
/// an exporter would read them.
/// </summary>
public abstract class StoreGauges_Specs(TestStore store) : StoreSpecs(store)
{
    [Fact]
    public async Task The_outbox_gauges_count_pending_and_set_aside_rows_and_age_the_oldest_pending_one()
    {
        await using (var db = OutboxDbContext.Open(Database.Store, Database.ConnectionString))
        {
            await db.Database.EnsureCreatedAsync();
            db.AddRange(Row(setAside: false, sent: DateTime.UtcNow.AddMinutes(-2)), Row(setAside: false, sent: DateTime.UtcNow), Row(setAside: true, sent: DateTime.UtcNow.AddHours(-1)));
            await db.SaveChangesAsync();
        }

        var read = Read(new OutboxGauges<OutboxDbContext>(Services(_ => OutboxDbContext.Open(Database.Store, Database.ConnectionString)), NullLogger<OutboxGauges<OutboxDbContext>>.Instance));

        Assert.Equal(2, read["microcomms.outbox.pending"]);
        Assert.Equal(1, read["microcomms.outbox.set_aside"]);
        Assert.InRange(read["microcomms.outbox.oldest_pending.age"], 100, 600);
    }

    [Fact]
    public async Task The_scheduler_gauges_count_due_rows_and_how_late_the_oldest_is_but_not_rows_still_waiting()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var db = SchedulerDbContext.Open(Database.Store, Database.ConnectionString))
        {
            await db.Database.EnsureCreatedAsync();
            db.ScheduledMessages.AddRange(Scheduled(now - 30_000), Scheduled(now - 1_000), Scheduled(now + 600_000), Scheduled(now - 5_000, setAside: now));
            await db.SaveChangesAsync();
        }

        var read = Read(new SchedulerGauges(Services(_ => SchedulerDbContext.Open(Database.Store, Database.ConnectionString)), TimeProvider.System, NullLogger<SchedulerGauges>.Instance));

        Assert.Equal(2, read["microcomms.scheduler.due"]);
        Assert.Equal(1, read["microcomms.scheduler.set_aside"]);
        Assert.InRange(read["microcomms.scheduler.overdue"], 29, 300);
    }

    [Fact]
    public async Task The_saga_gauge_counts_instances_per_state()
    {
        var options = StoreRegistration.OptionsFor<CounterDbContext>(Database.Store, Database.ConnectionString);
        await using (var db = new CounterDbContext(options))
        {
            await db.Database.EnsureCreatedAsync();
            db.Counters.AddRange(
                new CounterState { CorrelationId = Guid.NewGuid(), CurrentState = "Active" },
                new CounterState { CorrelationId = Guid.NewGuid(), CurrentState = "Active" },
                new CounterState { CorrelationId = Guid.NewGuid(), CurrentState = "Paused" });
            await db.SaveChangesAsync();
        }

        var read = Read(new SagaStateGauges<CounterState, CounterDbContext>(Services(_ => new CounterDbContext(options)), NullLogger<SagaStateGauges<CounterState, CounterDbContext>>.Instance), tag: "state");

        Assert.Equal(2, read["microcomms.saga.instances/Active"]);
        Assert.Equal(1, read["microcomms.saga.instances/Paused"]);
    }

    private static IServiceScopeFactory Services<TContext>(Func<IServiceProvider, TContext> open)
        where TContext : DbContext =>
        new ServiceCollection().AddScoped(open).BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();

    /// <summary>One collection of the gauges' instruments: value per instrument (and per <paramref name="tag"/> value, if given).</summary>
    private static Dictionary<string, double> Read(IStoreGauges gauges, string? tag = null)
    {
        using var meter = new Meter($"store-gauges-{Guid.NewGuid():N}");
        gauges.CreateInstruments(meter);
        var values = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = instrument.Name;
            foreach (var t in tags)
            {
                if (t.Key == tag)
                {
                    key += "/" + t.Value;
                }
            }

            values[key] = value;
        }

        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private static OutboxMessage Row(bool setAside, DateTime sent) => new()
    {
        MessageId = Guid.NewGuid(),
        OutboxId = Guid.NewGuid(),
        DestinationAddress = new Uri("queue:nowhere"),
        MessageType = "urn:message:MicroComms.Contracts:OrderSubmitted",
        ContentType = "application/vnd.masstransit+json",
        Body = "{}",
        SentTime = sent,
        SetAside = setAside ? DateTime.UtcNow : null,
    };

    private static ScheduledMessageRow Scheduled(long dueAt, long? setAside = null) => new()
    {
        TokenId = Guid.NewGuid(),
        MessageId = Guid.NewGuid(),
        DueAt = dueAt,
        DestinationAddress = new Uri("queue:nowhere"),
        MessageType = "urn:message:MicroComms.Contracts:PaymentTimedOut",
        ContentType = "application/vnd.masstransit+json",
        Body = "{}",
        SentTime = DateTime.UtcNow,
        SetAsideAt = setAside,
    };
}

public sealed class StoreGauges_Specs_on_Sqlite() : StoreGauges_Specs(TestStore.Sqlite);

[Trait("Needs", "Postgres")]
public sealed class StoreGauges_Specs_on_Postgres(PostgresFixture postgres) : StoreGauges_Specs(postgres.Store), IClassFixture<PostgresFixture>;
