using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Telemetry;

/// <summary>
/// One read of a store shared by the gauges of one collection: a scrape asks each gauge in turn within a few
/// milliseconds, and they should cost one query, not one each. A read that fails reports nothing (a gap in the
/// series, not a zero that would look healthy) and logs why.
/// </summary>
internal sealed class GaugeSnapshot<T>(string what, Func<T> read, ILogger logger)
    where T : class
{
    /// <summary>Long enough to cover one collection, short enough that the next scrape sees a change.</summary>
    private static readonly TimeSpan Fresh = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a gauge's query may take (the store's command timeout): a scrape waits for it.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private T? _value;
    private long _readAt;

    public T? Current
    {
        get
        {
            lock (_gate)
            {
                if (_value is not null && Stopwatch.GetElapsedTime(_readAt) < Fresh)
                {
                    return _value;
                }

                try
                {
                    _value = read();
                }
                catch (ObjectDisposedException)
                {
                    // The last collection of a host that is shutting down: its stores are gone, nothing to report.
                    _value = null;
                }
                catch (Exception ex)
                {
                    _value = null;
                    logger.LogWarning("Metrics: {What} not read, its gauges report nothing this time: {Reason}", what, ex.GetBaseException().Message);
                }

                _readAt = Stopwatch.GetTimestamp();
                return _value;
            }
        }
    }
}
