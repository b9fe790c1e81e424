namespace MicroComms.Contracts;

/// <summary>
/// Event Orders schedules to itself when it asks for payment: arriving while the order still waits for
/// payment, it faults the order. Only Orders sends and consumes it.
/// </summary>
public sealed record PaymentTimedOut(Guid OrderId);
