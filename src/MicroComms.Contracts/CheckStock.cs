namespace MicroComms.Contracts;

/// <summary>Request: how much of a SKU is available? Answered with <see cref="StockLevel"/>.</summary>
public sealed record CheckStock(string Sku);
