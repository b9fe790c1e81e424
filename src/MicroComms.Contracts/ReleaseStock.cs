namespace MicroComms.Contracts;

/// <summary>Command to Inventory (compensation): give back what was reserved for the order, if anything.</summary>
public sealed record ReleaseStock(Guid OrderId);
