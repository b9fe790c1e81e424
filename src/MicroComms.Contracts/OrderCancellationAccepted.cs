namespace MicroComms.Contracts;

/// <summary>Answer to <see cref="CancelOrder"/>: the order is cancelled; reserved stock is being given back.</summary>
public sealed record OrderCancellationAccepted(Guid OrderId, DateTimeOffset CancelledAt);
