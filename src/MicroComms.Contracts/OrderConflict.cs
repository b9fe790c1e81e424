namespace MicroComms.Contracts;

/// <summary>
/// Response to <see cref="SubmitOrder"/>: an order with this id is already stored with a different customer or
/// different lines, so the command is neither a retry of it nor a new order.
/// </summary>
public sealed record OrderConflict(Guid OrderId, string Reason);
