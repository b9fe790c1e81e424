namespace MicroComms.Messaging.Health;

/// <summary>The tags MicroComms' health checks carry.</summary>
public static class HealthTags
{
    /// <summary>Checks a readiness probe runs: the bus is started, each store answers, no outbox is stuck.</summary>
    public const string Ready = "ready";
}
