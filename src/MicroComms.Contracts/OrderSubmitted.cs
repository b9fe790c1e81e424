namespace MicroComms.Contracts;

/// <summary>Event: an order was accepted and stored; the workflow starts here.</summary>
public sealed record OrderSubmitted(Guid OrderId, string CustomerId, IReadOnlyList<OrderLine> Lines, decimal Total, DateTimeOffset SubmittedAt);
