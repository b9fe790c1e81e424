namespace MicroComms.Tests.Outbox.Support;

public sealed record WidgetInfo(Guid Id, string Name, bool Found);
