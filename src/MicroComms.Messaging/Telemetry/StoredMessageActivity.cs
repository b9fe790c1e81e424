using System.Diagnostics;
using MassTransit;
using MassTransit.Logging;
using MicroComms.Messaging.BusOutbox;

namespace MicroComms.Messaging.Telemetry;

/// <summary>
/// The span of a stored message sent by a background service (the outbox's delivery service, the scheduler's
/// dispatcher). Its parent is the span that stored the message, read from the <c>MT-Activity-Id</c> header MassTransit
/// wrote when the message was captured, so the send and everything downstream stay in the trace that caused them; the
/// background pass itself, if it had a span, is only linked. MassTransit's own send span starts under this one.
/// </summary>
internal static class StoredMessageActivity
{
    public const string OutboxDeliver = "outbox deliver";
    public const string ScheduledSend = "scheduler send";

    /// <summary>Null when nothing listens or the message carries no trace context and this pass has none either.</summary>
    public static Activity? Start(string operation, StoredEnvelope message, Uri? destination)
    {
        var ambient = Activity.Current;
        Activity? activity;
        if (StoredParent(message) is { } parent)
        {
            IEnumerable<ActivityLink>? links = ambient is null ? null : [new ActivityLink(ambient.Context)];
            activity = MicroCommsTelemetry.Source.StartActivity(operation, ActivityKind.Producer, parent, links: links);
        }
        else
        {
            activity = MicroCommsTelemetry.Source.StartActivity(operation, ActivityKind.Producer);
        }

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(DiagnosticHeaders.MessageId, message.MessageId.ToString("D"));
            activity.SetTag(DiagnosticHeaders.MessageTypes, message.MessageType);
            activity.SetTag(DiagnosticHeaders.Messaging.Operation, "send");
            if (message.ConversationId is { } conversationId)
            {
                activity.SetTag(DiagnosticHeaders.Messaging.ConversationId, conversationId.ToString("D"));
            }

            if (message.CorrelationId is { } correlationId)
            {
                activity.SetTag(DiagnosticHeaders.CorrelationId, correlationId.ToString("D"));
            }

            if (destination is not null)
            {
                activity.SetTag(DiagnosticHeaders.DestinationAddress, destination.ToString());
            }
        }

        return activity;
    }

    private static ActivityContext? StoredParent(StoredEnvelope message) =>
        ((MessageContext)message).Headers.TryGetHeader(DiagnosticHeaders.ActivityId, out var value)
        && value is string id
        && ActivityContext.TryParse(id, null, isRemote: true, out var context)
            ? context
            : null;
}
