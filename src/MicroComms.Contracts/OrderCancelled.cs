namespace MicroComms.Contracts;

/// <summary>Event: an order was cancelled before it was paid; its stock reservation is being released.</summary>
public sealed record OrderCancelled(Guid OrderId, string CustomerId, string Reason, DateTimeOffset CancelledAt);
