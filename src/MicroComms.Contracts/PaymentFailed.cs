namespace MicroComms.Contracts;

public sealed record PaymentFailed(Guid OrderId, string Reason);
