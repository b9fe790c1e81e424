namespace MicroComms.Contracts;

/// <summary>Event: stock of a SKU was added (published through the bus outbox by Inventory's restock endpoint).</summary>
public sealed record StockRestocked(string Sku, int Added, int Available, DateTimeOffset RestockedAt);
