using System.Diagnostics.Metrics;

namespace MicroComms.Messaging.Telemetry;

/// <summary>Gauges read from a store when the meter is collected (a scrape or an export), not on a timer of their own.</summary>
internal interface IStoreGauges
{
    void CreateInstruments(Meter meter);
}
