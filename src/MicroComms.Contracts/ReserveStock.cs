namespace MicroComms.Contracts;

/// <summary>Command to Inventory: reserve every line of the order, or none.</summary>
public sealed record ReserveStock(Guid OrderId, IReadOnlyList<OrderLine> Lines);
