namespace MicroComms.Tests.Sagas;

public sealed record IncrementCounter(Guid CounterId);
