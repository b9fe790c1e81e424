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
    /// Unacknowledged messages the broker pushes to each receive endpoint ahead of time: deep enough that a consumer
    /// never waits on a broker round trip for its next message (the benchmark README has the measurements).
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

    /// <summary>
    /// A plain RabbitMQ.Client connection factory for this broker as <paramref name="username"/>, for short-lived
    /// connections outside the bus (the start-up check, the operator commands): no automatic recovery, and
    /// <see cref="ConnectTimeout"/> as the connect timeout, so an unreachable broker is reported instead of retried.
    /// </summary>
    public RabbitMQ.Client.ConnectionFactory ConnectionFactory(string username, string password) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = username,
        Password = password,
        RequestedConnectionTimeout = ConnectTimeout,
        AutomaticRecoveryEnabled = false,
    };

    public Uri ToUri() => new($"rabbitmq://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");
}
