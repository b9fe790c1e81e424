namespace MicroComms.Inventory;

/// <summary>The queues of the commands and requests Inventory answers (one queue each).</summary>
public static class InventoryQueueNames
{
    public const string ReserveStockQueue = "reserve-stock";
    public const string ReleaseStockQueue = "release-stock";
    public const string CheckStockQueue = "check-stock";
}
