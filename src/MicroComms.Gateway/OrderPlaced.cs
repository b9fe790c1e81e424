namespace MicroComms.Gateway;

/// <summary>Body of the 202 answer to <c>POST /orders</c>.</summary>
public sealed record OrderPlaced(Guid OrderId, DateTimeOffset AcceptedAt);
