namespace MicroComms.Host.Crash;

/// <summary>A waiting PaymentTimedOut row of the scheduler table.</summary>
internal sealed class ScheduledTimeout
{
    public Guid MessageId { get; set; }

    public long DueAt { get; set; }

    public string Body { get; set; } = "";

    public string ContentType { get; set; } = "";
}
