namespace MicroComms.Contracts;

/// <summary>Answer to <see cref="GetOrderStatus"/> or <see cref="CancelOrder"/>: Orders knows no such order.</summary>
public sealed record OrderNotFound(Guid OrderId);
