using System.Diagnostics.Metrics;
using MicroComms.Messaging.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Telemetry;

/// <summary>
/// The scheduler as gauges: messages due and not yet sent, how late the oldest of them is (the dispatcher's lag), and
/// the set-aside ones, from one aggregate query of the scheduler table per collection.
/// </summary>
internal sealed class SchedulerGauges : IStoreGauges
{
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly GaugeSnapshot<Counts> _snapshot;

    public SchedulerGauges(IServiceScopeFactory scopes, TimeProvider time, ILogger<SchedulerGauges> logger)
    {
        _scopes = scopes;
        _time = time;
        _snapshot = new GaugeSnapshot<Counts>("the scheduler table", Read, logger);
    }

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("microcomms.scheduler.due", () => Measure(c => c.Due), "{message}",
            "Scheduled messages (delayed redeliveries, saga timeouts) whose time has come and that are not sent yet.");
        meter.CreateObservableGauge("microcomms.scheduler.overdue", () => Measure(c => c.OverdueSeconds), "s",
            "How far past its due time the oldest unsent due message is: the scheduler's lag; 0 when none is due.");
        meter.CreateObservableGauge("microcomms.scheduler.set_aside", () => Measure(c => c.SetAside), "{message}",
            "Scheduled messages set aside after too many failed sends; they wait for `scheduler replay` or `scheduler purge`.");
    }

    private IEnumerable<Measurement<double>> Measure(Func<Counts, double> value) =>
        _snapshot.Current is { } counts ? [new Measurement<double>(value(counts))] : [];

    private Counts Read()
    {
        using var scope = _scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();
        db.Database.SetCommandTimeout(GaugeSnapshot<Counts>.QueryTimeout);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = db.ScheduledMessages.AsNoTracking()
            .GroupBy(_ => 1)
            .Select(g => new
            {
                Due = g.Count(x => x.SetAsideAt == null && x.DueAt <= now),
                SetAside = g.Count(x => x.SetAsideAt != null),
                Earliest = g.Where(x => x.SetAsideAt == null && x.DueAt <= now).Min(x => (long?)x.DueAt),
            })
            .SingleOrDefault();
        if (row is null)
        {
            return new Counts(0, 0, 0);
        }

        var overdue = row.Earliest is { } earliest ? (now - earliest) / 1000.0 : 0;
        return new Counts(row.Due, overdue, row.SetAside);
    }

    private sealed record Counts(double Due, double OverdueSeconds, double SetAside);
}
