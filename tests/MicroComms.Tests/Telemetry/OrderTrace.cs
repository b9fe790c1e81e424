using System.Diagnostics;
using MassTransit.Logging;
using MicroComms.Testing;

namespace MicroComms.Tests.Telemetry;

/// <summary>The spans of one order as the in-memory exporter recorded them, and what a whole trace must look like.</summary>
internal sealed class OrderTrace(SpanCollection recorder, ActivityTraceId traceId)
{
    public IReadOnlyList<Activity> Spans => recorder.Trace(traceId);

    /// <summary>The trace that the one <c>POST /orders</c> of the spec started at the Gateway.</summary>
    public static OrderTrace OfThePost(SpanCollection recorder)
    {
        var posts = recorder.Spans.Where(s =>
            s.Kind == ActivityKind.Server
            && SpanCollection.Tag(s, "url.path") == "/orders"
            && SpanCollection.Tag(s, "http.request.method") == "POST").ToList();
        Assert.True(posts.Count == 1, $"{posts.Count} POST /orders server spans among {recorder.Count} recorded:\n" + SpanCollection.Describe(recorder.Spans.Take(50)));
        return new OrderTrace(recorder, posts[0].TraceId);
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
