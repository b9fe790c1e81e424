namespace MicroComms.Contracts;

public sealed record OrderFaulted(Guid OrderId, string CustomerId, string Reason, DateTimeOffset FaultedAt);
