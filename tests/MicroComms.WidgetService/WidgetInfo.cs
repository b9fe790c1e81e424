namespace MicroComms.WidgetService;

public sealed record WidgetInfo(Guid Id, string Name, bool Found);
