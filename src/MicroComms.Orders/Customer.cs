namespace MicroComms.Orders;

/// <summary>A customer Orders knows; an order from anyone else is rejected.</summary>
public sealed class Customer
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";
}
