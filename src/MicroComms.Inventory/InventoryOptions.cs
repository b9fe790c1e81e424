using System.ComponentModel.DataAnnotations;

namespace MicroComms.Inventory;

/// <summary>Inventory settings, bound from <c>MicroComms:Inventory</c>.</summary>
public sealed class InventoryOptions
{
    public const string SectionName = "MicroComms:Inventory";

    /// <summary>
    /// Stock-changing messages (reserve, release) one process handles at once. SQLite takes one writer at a
    /// time anyway; more only turns into optimistic-concurrency conflicts and retries.
    /// </summary>
    [Range(1, 256)]
    public int StockWriteConcurrency { get; set; } = 1;

    /// <summary>Attempts of a restock request that meets a concurrent stock change before it answers 409.</summary>
    [Range(1, 20)]
    public int RestockAttempts { get; set; } = 5;

    /// <summary>Largest quantity one restock request may add.</summary>
    [Range(1, 10_000_000)]
    public int MaxRestockQuantity { get; set; } = 100_000;
}
