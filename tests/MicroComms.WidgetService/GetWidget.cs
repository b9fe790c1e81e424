namespace MicroComms.WidgetService;

public sealed record GetWidget(Guid Id);
