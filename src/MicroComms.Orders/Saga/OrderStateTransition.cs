namespace MicroComms.Orders.Saga;

/// <summary>
/// One state change of an order's workflow: when (UTC), the message that caused it (<c>StockReserved</c>,
/// <c>PaymentTimedOut</c>...), the state it entered and, for Faulted and Cancelled, why. Kept on the saga row
/// (<see cref="OrderState.Transitions"/>), so it is written by the same UPDATE as the state it records.
/// </summary>
public sealed record OrderStateTransition(DateTimeOffset At, string Event, string State, string? Reason);
