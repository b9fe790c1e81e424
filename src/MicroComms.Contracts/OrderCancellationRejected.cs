namespace MicroComms.Contracts;

/// <summary>Answer to <see cref="CancelOrder"/>: the order is already paid or finished; <c>State</c> says which.</summary>
public sealed record OrderCancellationRejected(Guid OrderId, string State, string Reason);
