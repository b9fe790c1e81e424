namespace MicroComms.Contracts;

public sealed record OrderCompleted(Guid OrderId, string CustomerId, DateTimeOffset CompletedAt);
