namespace MicroComms.Contracts;

/// <summary>
/// Answer to <see cref="GetOrderStatus"/>: the order's workflow state and, once it failed, why.
/// <c>UpdatedAt</c> is the last state change; <c>FinishedAt</c> is when it reached Completed, Faulted or Cancelled.
/// </summary>
public sealed record OrderStatus(
    Guid OrderId,
    string State,
    string? Reason,
    decimal Total,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? FinishedAt = null);
