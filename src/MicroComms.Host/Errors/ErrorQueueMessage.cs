namespace MicroComms.Host.Errors;

/// <summary>
/// What <c>errors show</c> prints about one parked message. <see cref="Body"/> is the body as indented JSON, whatever
/// envelope it was sent in (<see cref="Messaging.Serialization.MessageBodyFormat"/>), or a sentence saying why it cannot be shown.
/// </summary>
public sealed record ErrorQueueMessage(
    string MessageId,
    string MessageType,
    string Reason,
    string ExceptionSummary,
    string FirstFailure,
    string Attempts,
    string ReplayTo,
    string ContentType,
    string Body);
