namespace MicroComms.Contracts;

public sealed record OrderStatus(Guid OrderId, string State, string? Reason, decimal Total, DateTimeOffset SubmittedAt, DateTimeOffset? UpdatedAt);
