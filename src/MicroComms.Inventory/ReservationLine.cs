namespace MicroComms.Inventory;

public sealed class ReservationLine
{
    public int Id { get; set; }

    public Guid OrderId { get; set; }

    public string Sku { get; set; } = "";

    public int Quantity { get; set; }
}
