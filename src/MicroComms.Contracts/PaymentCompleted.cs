namespace MicroComms.Contracts;

public sealed record PaymentCompleted(Guid OrderId, Guid PaymentId, decimal Amount);
