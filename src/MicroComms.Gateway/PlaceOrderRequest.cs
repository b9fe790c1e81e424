namespace MicroComms.Gateway;

/// <summary>Body of <c>POST /orders</c>. Every field is nullable so a missing one is reported by name, not as a parse error.</summary>
public sealed record PlaceOrderRequest(Guid? OrderId, string? CustomerId, IReadOnlyList<PlaceOrderLine?>? Lines);
