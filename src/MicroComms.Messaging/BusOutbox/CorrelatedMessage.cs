namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// One outgoing message of a workflow still in an outbox, and the inbound message that produced it (its inbox row's
/// times, when the row is still kept), as the operator console's timeline shows it.
/// </summary>
public sealed record CorrelatedMessage(
    Guid MessageId,
    string MessageType,
    Uri? DestinationAddress,
    DateTime SentTime,
    DateTime? SetAside,
    int DeliveryAttempts,
    string? FailureReason,
    Guid? InboundMessageId,
    DateTime? InboundReceived,
    DateTime? InboundConsumed);
