using MassTransit;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Telemetry;

/// <summary>
/// Puts the message id, message type and receiving endpoint in the log scope of everything that runs for a consumed
/// message (consumers, sagas, retries, the outbox), so each such log line names the message it was written for;
/// MassTransit itself adds no scope. The trace and span ids come from the logging's activity tracking beside it.
/// </summary>
internal sealed class ConsumeLogScope(ILoggerFactory loggers) : IFilter<ConsumeContext>
{
    private readonly ILogger _logger = loggers.CreateLogger<ConsumeLogScope>();

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        // One scope provider serves every logger of the factory: a scope begun here shows on all their lines.
        using (_logger.BeginScope(new Dictionary<string, object?>
        {
            ["MessageId"] = context.MessageId,
            ["MessageType"] = context.SupportedMessageTypes.FirstOrDefault(),
            ["Endpoint"] = context.ReceiveContext.InputAddress?.AbsolutePath.TrimStart('/'),
        }))
        {
            await next.Send(context);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("consumeLogScope");
}
