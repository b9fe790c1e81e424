namespace MicroComms.WidgetService;

public sealed record WidgetRenamed(Guid Id, int Sequence);
