namespace MicroComms.Contracts;

public sealed record OrderAccepted(Guid OrderId, DateTimeOffset AcceptedAt);
