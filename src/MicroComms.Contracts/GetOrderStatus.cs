namespace MicroComms.Contracts;

/// <summary>Request: where does the order stand? Answered with <see cref="OrderStatus"/> or <see cref="OrderNotFound"/>.</summary>
public sealed record GetOrderStatus(Guid OrderId);
