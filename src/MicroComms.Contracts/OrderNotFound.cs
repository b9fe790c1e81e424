namespace MicroComms.Contracts;

public sealed record OrderNotFound(Guid OrderId);
