namespace MicroComms.Contracts;

public sealed record StockReservationFailed(Guid OrderId, string Reason);
