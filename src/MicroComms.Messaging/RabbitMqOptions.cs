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

    /// <summary>Unacknowledged messages the broker pushes to each receive endpoint ahead of time.</summary>
    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 256;

    /// <summary>Messages each receive endpoint processes at once; null means as many as the prefetch.</summary>
    [Range(1, 10_000)]
    public int? ConcurrentMessageLimit { get; set; } = 32;

    /// <summary>How long start-up waits to reach the broker before it gives up with a clear error.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public Uri ToUri() => new($"rabbitmq://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");
}
