namespace MicroComms.Contracts;

/// <summary>Command to Payments: charge the customer for the order.</summary>
public sealed record ChargePayment(Guid OrderId, string CustomerId, decimal Amount);
