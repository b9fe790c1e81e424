namespace MicroComms.Contracts;

/// <summary>Answer to <see cref="CheckStock"/>; <c>Known</c> is false for a SKU not in the catalogue.</summary>
public sealed record StockLevel(string Sku, bool Known, int Available, int Reserved);
