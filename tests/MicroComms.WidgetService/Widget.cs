namespace MicroComms.WidgetService;

public sealed class Widget
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>How many times a consumer applied a CreateWidget to this row: the side effect the inbox must keep at one.</summary>
    public int Applied { get; set; }
}
