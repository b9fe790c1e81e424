namespace MicroComms.WidgetService;

public sealed record WidgetCreated(Guid Id, string Name);
