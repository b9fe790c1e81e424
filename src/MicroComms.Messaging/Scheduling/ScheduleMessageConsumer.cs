using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using MicroComms.Messaging.Retry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// Consumes MassTransit's scheduling commands on the scheduler queue and keeps them in the scheduler
/// database. The broker message is acknowledged only after the row is committed, so a crash between the
/// two redelivers the command, and storing it again is harmless (the token is the key).
/// </summary>
internal sealed class ScheduleMessageConsumer(
    SchedulerDbContext db,
    SchedulerSignal signal,
    TimeProvider time,
    ILogger<ScheduleMessageConsumer> logger)
    : IConsumer<ScheduleMessage>, IConsumer<CancelScheduledMessage>
{
    public async Task Consume(ConsumeContext<ScheduleMessage> context)
    {
        var command = context.Message;
        // Stored in the envelope the command came in (JSON or binary, base64 in the text column), named by its content type.
        var serializer = context.SerializerContext.GetMessageSerializer(command.Payload, command.PayloadType);
        var body = serializer.GetMessageBody(new MessageSendContext<ScheduleMessage>(command, context.CancellationToken));

        var properties = context.ReceiveContext.TryGetPayload<TransportReceiveContext>(out var transport)
            ? transport.GetTransportProperties() ?? new Dictionary<string, object>()
            : new Dictionary<string, object>();

        var headers = context.Headers.GetAll().ToList();
        if (headers.Any(h => h.Key == MicroCommsHeaders.RedeliveryCount)
            && !headers.Any(h => h.Key == MicroCommsHeaders.FirstFaultTimestamp))
        {
            // The command arrives milliseconds after the failure that scheduled it (its SentTime is not
            // reliable for this: it can carry the scheduled time).
            headers.Add(new(MicroCommsHeaders.FirstFaultTimestamp, time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        }

        var row = new ScheduledMessageRow
        {
            TokenId = command.CorrelationId,
            DueAt = new DateTimeOffset(DateTime.SpecifyKind(command.ScheduledTime, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
            DestinationAddress = command.Destination,
            MessageId = context.MessageId ?? NewId.NextGuid(),
            ContentType = serializer.ContentType.ToString(),
            MessageType = string.Join(';', command.PayloadType),
            Body = body.GetString(),
            CorrelationId = context.CorrelationId,
            ConversationId = context.ConversationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            ExpirationTime = context.ExpirationTime,
            Headers = HeaderJson.Serialize(headers),
            Properties = HeaderJson.Serialize(properties),
            SentTime = time.GetUtcNow().UtcDateTime,
        };

        // Scheduling the same token again replaces the earlier row (and voids any claim on it), as Quartz does.
        await db.ScheduledMessages.Where(x => x.TokenId == row.TokenId).ExecuteDeleteAsync(context.CancellationToken);
        db.ScheduledMessages.Add(row);
        await db.SaveChangesAsync(context.CancellationToken);
        signal.Notify();

        logger.LogDebug(
            "Scheduled {MessageType} {MessageId} for {Destination} at {ScheduledTime:O} (token {TokenId})",
            row.MessageType, row.MessageId, row.DestinationAddress, command.ScheduledTime, row.TokenId);
    }

    public async Task Consume(ConsumeContext<CancelScheduledMessage> context)
    {
        var removed = await db.ScheduledMessages
            .Where(x => x.TokenId == context.Message.TokenId)
            .ExecuteDeleteAsync(context.CancellationToken);

        logger.LogDebug("Cancelled scheduled message {TokenId} ({Removed} row removed)", context.Message.TokenId, removed);
    }
}
