namespace MicroComms.Tests.Outbox.Support;

public sealed record CreateWidget(Guid Id, string Name);
