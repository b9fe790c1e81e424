using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MicroComms.Testing;

/// <summary>
/// Spans as OpenTelemetry's in-memory exporter hands them over (<c>tracing.AddInMemoryExporter(recorder)</c>), safe to read
/// while spans keep ending on other threads. Several providers of one process (one per host) each export every span
/// they listen to; a span is kept once.
/// </summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly Lock _gate = new();
    private readonly List<Activity> _spans = [];
    private readonly HashSet<ActivitySpanId> _seen = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(Activity item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            if (_seen.Add(item.SpanId))
            {
                _spans.Add(item);
            }
        }
    }

    /// <summary>The spans ended so far.</summary>
    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (_gate)
            {
                return _spans.ToList();
            }
        }
    }

    /// <summary>The spans of one trace ended so far.</summary>
    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => Spans.Where(s => s.TraceId == traceId).ToList();

    /// <summary>A span's tag as text, or null.</summary>
    public static string? Tag(Activity span, string key)
    {
        ArgumentNullException.ThrowIfNull(span);
        return span.GetTagItem(key)?.ToString();
    }

    /// <summary>One line per span (name, kind, ids, the tags that tell hops apart), for a failing assertion's message.</summary>
    public static string Describe(IEnumerable<Activity> spans)
    {
        var text = new StringBuilder();
        foreach (var span in spans.OrderBy(s => s.StartTimeUtc))
        {
            var tags = string.Join(' ', span.TagObjects
                .Where(t => t.Key.StartsWith("messaging.masstransit.", StringComparison.Ordinal) && !t.Key.EndsWith("address", StringComparison.Ordinal))
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key[22..]}={t.Value}")));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{span.StartTimeUtc:HH:mm:ss.fff} {span.DisplayName} [{span.Kind}] trace {span.TraceId} span {span.SpanId} parent {span.ParentSpanId} {tags}"));
        }

        return text.ToString();
    }

    public void Clear()
    {
        lock (_gate)
        {
            _spans.Clear();
            _seen.Clear();
        }
    }

    public bool Contains(Activity item) => Spans.Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Spans.ToList().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (_gate)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Spans.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
