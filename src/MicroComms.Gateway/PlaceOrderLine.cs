namespace MicroComms.Gateway;

public sealed record PlaceOrderLine(string? Sku, int? Quantity, decimal? UnitPrice);
