namespace MicroComms.Contracts;

/// <summary>
/// Command to Payments (compensation): give back a charge that completed after the order had already been
/// faulted or cancelled. Payments records it once per order.
/// </summary>
public sealed record RefundPayment(Guid OrderId, Guid PaymentId, decimal Amount, string Reason);
