using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging;

/// <summary>Broker settings, bound from <c>MicroComms:RabbitMq</c>.</summary>
public sealed class RabbitMqOptions
{
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    [Required]
    public string VirtualHost { get; set; } = "microcomms";

    [Required]
    public string Username { get; set; } = "microcomms";

    [Required]
    public string Password { get; set; } = "microcomms";

    /// <summary>
    /// Unacknowledged messages the broker pushes to each receive endpoint ahead of time. Deep enough that a consumer
    /// never waits on a broker round trip for its next message (64 left MicroComms at 0.55x the raw client's limit in
    /// tests/MicroComms.Benchmarks; 256 keeps the pipe full on a 2-core machine).
    /// </summary>
    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 256;

    /// <summary>
    /// Messages each receive endpoint processes at once, unless the endpoint sets its own limit (its Definition) or
    /// runs under the consumer outbox (<c>MicroComms:Outbox:ConcurrentMessageLimit</c>); null means as many as the
    /// prefetch. Kept well below the prefetch: beyond a few dozen, consumers that keep the CPU busy only add scheduling
    /// and contention, while the prefetch alone keeps the endpoint busy.
    /// </summary>
    [Range(1, 10_000)]
    public int? ConcurrentMessageLimit { get; set; } = 32;

    /// <summary>How long start-up waits to reach the broker before it gives up with a clear error.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public Uri ToUri() => new($"rabbitmq://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");
}
