namespace MicroComms.Messaging.Scheduling;

/// <summary>One set-aside scheduled message, as <c>scheduler list</c> shows it.</summary>
public sealed record SetAsideScheduledMessage(
    Guid TokenId,
    Guid MessageId,
    string MessageType,
    string Destination,
    DateTimeOffset DueAt,
    int DeliveryAttempts,
    string? FailureReason,
    DateTimeOffset SetAside);
