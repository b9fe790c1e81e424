namespace MicroComms.Orders;

/// <summary>
/// What was ordered, as accepted by <see cref="SubmitOrderConsumer"/>. The row never changes afterwards:
/// where the order stands lives in its saga (<see cref="Saga.OrderState"/>).
/// </summary>
public sealed class Order
{
    public Guid Id { get; set; }

    public string CustomerId { get; set; } = "";

    public decimal Total { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public List<OrderItem> Items { get; set; } = [];
}
