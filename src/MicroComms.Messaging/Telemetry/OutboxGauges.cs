using System.Diagnostics.Metrics;
using MicroComms.Messaging.BusOutbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Telemetry;

/// <summary>
/// A service's outbox as gauges: messages pending, set aside, and the age of the oldest pending one, from one
/// aggregate query of <typeparamref name="TDbContext"/>'s outbox table per collection.
/// </summary>
internal sealed class OutboxGauges<TDbContext> : IStoreGauges
    where TDbContext : DbContext
{
    private readonly IServiceScopeFactory _scopes;
    private readonly GaugeSnapshot<Counts> _snapshot;
    private readonly KeyValuePair<string, object?> _service = new("service", MicroCommsMetrics.ServiceOf(typeof(TDbContext)));

    public OutboxGauges(IServiceScopeFactory scopes, ILogger<OutboxGauges<TDbContext>> logger)
    {
        _scopes = scopes;
        _snapshot = new GaugeSnapshot<Counts>($"the outbox of {typeof(TDbContext).Name}", Read, logger);
    }

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("microcomms.outbox.pending", () => Measure(c => c.Pending), "{message}",
            "Outgoing messages committed and not yet on the broker (set-aside ones not counted).");
        meter.CreateObservableGauge("microcomms.outbox.set_aside", () => Measure(c => c.SetAside), "{message}",
            "Outgoing messages set aside after too many failed attempts; they wait for `outbox replay` or `outbox purge`.");
        meter.CreateObservableGauge("microcomms.outbox.oldest_pending.age", () => Measure(c => c.OldestAgeSeconds), "s",
            "How long the oldest pending outgoing message has waited; 0 when none waits.");
    }

    private IEnumerable<Measurement<double>> Measure(Func<Counts, double> value) =>
        _snapshot.Current is { } counts ? [new Measurement<double>(value(counts), _service)] : [];

    private Counts Read()
    {
        using var scope = _scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        db.Database.SetCommandTimeout(GaugeSnapshot<Counts>.QueryTimeout);
        var row = db.Set<OutboxMessage>().AsNoTracking()
            .GroupBy(_ => 1)
            .Select(g => new
            {
                Pending = g.Count(m => m.SetAside == null),
                SetAside = g.Count(m => m.SetAside != null),
                Oldest = g.Where(m => m.SetAside == null).Min(m => (DateTime?)m.SentTime),
            })
            .SingleOrDefault();
        if (row is null)
        {
            return new Counts(0, 0, 0);
        }

        var age = row.Oldest is { } oldest ? Math.Max(0, (DateTime.UtcNow - DateTime.SpecifyKind(oldest, DateTimeKind.Utc)).TotalSeconds) : 0;
        return new Counts(row.Pending, row.SetAside, age);
    }

    private sealed record Counts(double Pending, double SetAside, double OldestAgeSeconds);
}
