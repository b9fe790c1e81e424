namespace MicroComms.Payments;

/// <summary>What the provider said: approved with a payment id, or declined with a reason.</summary>
public sealed record PaymentDecision(bool Approved, Guid PaymentId, string? DeclineReason);
