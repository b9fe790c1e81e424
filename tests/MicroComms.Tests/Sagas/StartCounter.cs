namespace MicroComms.Tests.Sagas;

public sealed record StartCounter(Guid CounterId, string Name);
