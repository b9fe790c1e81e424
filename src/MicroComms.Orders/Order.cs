namespace MicroComms.Orders;

/// <summary>An order as Orders stores it; <see cref="State"/> holds one of <see cref="OrderStates"/>.</summary>
public sealed class Order
{
    public Guid Id { get; set; }

    public string CustomerId { get; set; } = "";

    public string State { get; set; } = OrderStates.Submitted;

    public string? Reason { get; set; }

    public decimal Total { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public List<OrderItem> Items { get; set; } = [];
}
