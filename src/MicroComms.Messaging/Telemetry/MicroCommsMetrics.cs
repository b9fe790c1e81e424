using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MicroComms.Messaging.Telemetry;

/// <summary>
/// The MicroComms meter of one process: counters the messaging code records, and the gauges of every
/// <see cref="IStoreGauges"/> registered (each service's outbox, the scheduler, each saga), created once with the meter.
/// </summary>
internal sealed class MicroCommsMetrics
{
    private readonly Counter<long> _inboxDuplicates;
    private readonly Histogram<int> _groupCommitSaves;

    public MicroCommsMetrics(IMeterFactory meters, IEnumerable<IStoreGauges> gauges)
    {
        var meter = meters.Create(MicroCommsTelemetry.MeterName);
        _inboxDuplicates = meter.CreateCounter<long>(
            "microcomms.inbox.duplicates", "{message}", "Messages the inbox recognised as already consumed and did not run again.");
        _groupCommitSaves = meter.CreateHistogram<int>(
            "microcomms.sqlite.group_commit.saves", "{save}", "Saves written together in one shared SQLite transaction.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128] });
        foreach (var source in gauges)
        {
            source.CreateInstruments(meter);
        }
    }

    public void InboxDuplicate(string service, string consumerType) =>
        _inboxDuplicates.Add(1, new TagList { { "service", service }, { "consumer", consumerType } });

    public void GroupCommit(string service, int saves) =>
        _groupCommitSaves.Record(saves, new KeyValuePair<string, object?>("service", service));

    /// <summary>"Orders" for OrdersDbContext: the name the gauges and counters carry as their <c>service</c> tag.</summary>
    public static string ServiceOf(Type dbContext) =>
        dbContext.Name.EndsWith("DbContext", StringComparison.Ordinal) ? dbContext.Name[..^"DbContext".Length] : dbContext.Name;
}
