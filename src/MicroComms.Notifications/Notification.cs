namespace MicroComms.Notifications;

/// <summary>What would be an e-mail to the customer; one per order and kind.</summary>
public sealed class Notification
{
    public Guid OrderId { get; set; }

    public string Kind { get; set; } = "";

    public string CustomerId { get; set; } = "";

    public string Text { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }
}
