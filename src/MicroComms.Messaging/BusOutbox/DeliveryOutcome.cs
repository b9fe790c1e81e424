namespace MicroComms.Messaging.BusOutbox;

/// <summary>What happened to one outbox message in a delivery pass.</summary>
/// <param name="SequenceNumber">The message row.</param>
/// <param name="MessageId">Its message id, for the log.</param>
/// <param name="Sent">True when the broker confirmed it.</param>
/// <param name="CountsAsAttempt">A failure caused by the message itself (not a broker outage): counts towards setting it aside.</param>
/// <param name="Reason">Why it failed, kept on the row.</param>
internal sealed record DeliveryOutcome(long SequenceNumber, Guid MessageId, bool Sent, bool CountsAsAttempt, string? Reason);
