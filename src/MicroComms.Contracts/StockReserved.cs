namespace MicroComms.Contracts;

public sealed record StockReserved(Guid OrderId);
