namespace MicroComms.Messaging.Scheduling;

/// <summary>
/// One scheduled message in line (not set aside), as the operator console lists the due and overdue ones;
/// <c>Claimed</c> means a dispatcher holds it right now (it is being sent).
/// </summary>
public sealed record WaitingScheduledMessage(
    Guid TokenId,
    Guid MessageId,
    string MessageType,
    string Destination,
    DateTimeOffset DueAt,
    int DeliveryAttempts,
    bool Claimed);
