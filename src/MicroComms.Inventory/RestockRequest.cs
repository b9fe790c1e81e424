namespace MicroComms.Inventory;

/// <summary>Body of <c>POST /inventory/{sku}/restock</c>.</summary>
public sealed record RestockRequest(int Quantity);
