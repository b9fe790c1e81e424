namespace MicroComms.Contracts;

public sealed record OrderRejected(Guid OrderId, string Reason);
