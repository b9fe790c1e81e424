namespace MicroComms.Inventory;

/// <summary>One SKU of the catalogue: what can still be reserved and what is held for orders.</summary>
public sealed class StockItem
{
    public string Sku { get; set; } = "";

    public string Name { get; set; } = "";

    public int Available { get; set; }

    public int Reserved { get; set; }

    /// <summary>Optimistic concurrency: two processes reserving the same SKU cannot both win on a stale read.</summary>
    public int Version { get; set; }
}
