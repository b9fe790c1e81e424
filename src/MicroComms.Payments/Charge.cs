namespace MicroComms.Payments;

/// <summary>The outcome of charging one order, keyed by order id so a redelivered ChargePayment never charges twice.</summary>
public sealed class Charge
{
    public Guid OrderId { get; set; }

    public string CustomerId { get; set; } = "";

    public decimal Amount { get; set; }

    public bool Approved { get; set; }

    public Guid PaymentId { get; set; }

    public string? DeclineReason { get; set; }

    public DateTimeOffset ChargedAt { get; set; }

    /// <summary>Set once when Orders asks for the money back (the order ended before the payment completed).</summary>
    public DateTimeOffset? RefundedAt { get; set; }

    public string? RefundReason { get; set; }
}
