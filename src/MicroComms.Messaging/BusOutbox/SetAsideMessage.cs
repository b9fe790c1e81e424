namespace MicroComms.Messaging.BusOutbox;

/// <summary>One set-aside outbox message, as <c>outbox show</c> lists it.</summary>
public sealed record SetAsideMessage(
    long SequenceNumber,
    Guid MessageId,
    string MessageType,
    Uri? DestinationAddress,
    int DeliveryAttempts,
    string? FailureReason,
    DateTime SetAside);
