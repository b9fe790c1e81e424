namespace MicroComms.Tests.Sagas;

public sealed record FinishCounter(Guid CounterId);
