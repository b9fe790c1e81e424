namespace MicroComms.Tests.Outbox.Support;

public sealed record WidgetCreated(Guid Id, string Name);
