namespace MicroComms.Contracts;

/// <summary>
/// Command (request): place an order. Answered with <see cref="OrderAccepted"/>, <see cref="OrderRejected"/>, or
/// <see cref="OrderConflict"/> when the id is already taken by a different order.
/// </summary>
public sealed record SubmitOrder(Guid OrderId, string CustomerId, IReadOnlyList<OrderLine> Lines);
