namespace MicroComms.Orders;

/// <summary>One stored line of an <see cref="Order"/>.</summary>
public sealed class OrderItem
{
    public int Id { get; set; }

    public Guid OrderId { get; set; }

    public string Sku { get; set; } = "";

    public int Quantity { get; set; }

    public decimal UnitPrice { get; set; }
}
