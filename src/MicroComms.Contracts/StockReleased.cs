namespace MicroComms.Contracts;

public sealed record StockReleased(Guid OrderId);
