namespace MicroComms.Contracts;

/// <summary>
/// Command (request) to Orders: cancel an order that is not yet paid. Answered with
/// <see cref="OrderCancellationAccepted"/>, <see cref="OrderCancellationRejected"/> or <see cref="OrderNotFound"/>.
/// </summary>
public sealed record CancelOrder(Guid OrderId, string Reason);
