namespace MicroComms.WidgetService;

/// <summary>Create a widget; <paramref name="Renames"/> more outgoing messages (WidgetRenamed 1..n) follow its WidgetCreated.</summary>
public sealed record CreateWidget(Guid Id, string Name, int Renames = 0);
