namespace MicroComms.Tests.Sagas;

public sealed record CounterChanged(Guid CounterId, int Count);
