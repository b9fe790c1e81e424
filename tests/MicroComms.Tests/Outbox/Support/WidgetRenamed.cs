namespace MicroComms.Tests.Outbox.Support;

public sealed record WidgetRenamed(Guid Id, int Sequence);
