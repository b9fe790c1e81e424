namespace MicroComms.Tests.Outbox.Support;

public sealed record GetWidget(Guid Id);
