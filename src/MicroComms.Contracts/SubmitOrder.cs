namespace MicroComms.Contracts;

/// <summary>Command (request): place an order. Answered with <see cref="OrderAccepted"/> or <see cref="OrderRejected"/>.</summary>
public sealed record SubmitOrder(Guid OrderId, string CustomerId, IReadOnlyList<OrderLine> Lines);
