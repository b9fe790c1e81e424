namespace MicroComms.Messaging.Health;

/// <summary>The tags MicroComms' health checks carry; MassTransit tags its bus check the same way.</summary>
public static class HealthTags
{
    /// <summary>Checks a readiness probe runs: the bus is started, each store answers, no outbox is stuck.</summary>
    public const string Ready = "ready";
}
