using System.Diagnostics;
using MassTransit.Logging;

namespace MicroComms.Testing;

/// <summary>
/// One trace as the in-memory exporter recorded it (e.g. one order's, from its <c>POST /orders</c>), and the questions
/// that tell whether it is whole: every span's parent in it, no span of its conversation in another trace.
/// </summary>
public sealed class RecordedTrace(SpanCollection recorder, ActivityTraceId traceId)
{
    public IReadOnlyList<Activity> Spans => recorder.Trace(traceId);

    /// <summary>
    /// The trace that the one <c>POST /orders</c> to the Gateway at <paramref name="gateway"/> started (listeners see the
    /// whole process: the port tells this Gateway's requests from those of hosts beside it).
    /// </summary>
    public static RecordedTrace OfThePost(SpanCollection recorder, Uri gateway)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(gateway);
        var port = gateway.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var posts = recorder.Spans.Where(s =>
            s.Kind == ActivityKind.Server
            && SpanCollection.Tag(s, "server.port") == port
            && SpanCollection.Tag(s, "url.path") == "/orders"
            && SpanCollection.Tag(s, "http.request.method") == "POST").ToList();
        if (posts.Count != 1)
        {
            throw new InvalidOperationException($"{posts.Count} POST /orders server spans among {recorder.Count} recorded:\n" + SpanCollection.Describe(recorder.Spans.Take(50)));
        }

        return new RecordedTrace(recorder, posts[0].TraceId);
    }

    /// <summary>Spans of consumers (or sagas) of this type that ran in the trace.</summary>
    public IReadOnlyList<Activity> Processed(string consumerType) =>
        Spans.Where(s => SpanCollection.Tag(s, DiagnosticHeaders.ConsumerType) is { } type
            && (type == consumerType || type.EndsWith("." + consumerType, StringComparison.Ordinal))).ToList();

    public IReadOnlyList<Activity> Named(string displayName) => Spans.Where(s => s.DisplayName == displayName).ToList();

    /// <summary>Spans of the trace whose parent is not in it (the root aside): a hop recorded without its cause.</summary>
    public IReadOnlyList<Activity> WithoutParent()
    {
        var spans = Spans;
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        return spans.Where(s => s.ParentSpanId != default && !ids.Contains(s.ParentSpanId)).ToList();
    }

    /// <summary>
    /// Spans of the order's conversation (every message of the workflow carries its conversation id) recorded in another
    /// trace: a hop where the trace broke.
    /// </summary>
    public IReadOnlyList<Activity> Orphans()
    {
        var conversations = Spans.Select(s => SpanCollection.Tag(s, DiagnosticHeaders.Messaging.ConversationId)).OfType<string>().ToHashSet();
        return recorder.Spans.Where(s => s.TraceId != traceId
            && SpanCollection.Tag(s, DiagnosticHeaders.Messaging.ConversationId) is { } conversation
            && conversations.Contains(conversation)).ToList();
    }

    public string Describe() => SpanCollection.Describe(Spans);
}
