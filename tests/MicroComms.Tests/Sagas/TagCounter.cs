namespace MicroComms.Tests.Sagas;

public sealed record TagCounter(string Name, string Tag);
