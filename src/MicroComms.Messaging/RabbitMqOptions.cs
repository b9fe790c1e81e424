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

    /// <summary>AMQP over TLS (AMQPS): the bus and every plain connection. <see cref="Port"/> is then the broker's TLS listener.</summary>
    public bool UseTls { get; set; }

    /// <summary>The name the broker's certificate must carry; <see cref="Host"/> when unset or empty.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>The name the broker's certificate is checked against.</summary>
    public string ExpectedServerName => string.IsNullOrWhiteSpace(TlsServerName) ? Host : TlsServerName;

    /// <summary>
    /// A PEM file with the certificate authority to trust for the broker's certificate (a self-signed one, such as
    /// <c>rabbitmq/make-cert.sh</c> makes) instead of the machine's trusted roots; unset means the machine's roots.
    /// </summary>
    public string? TlsCaFile { get; set; }

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
        Ssl = UseTls
            ? new RabbitMQ.Client.SslOption(ExpectedServerName, enabled: true)
            {
                Version = BrokerTls.Protocols,
                CertificateValidationCallback = BrokerTls.Validation(TlsCaFile),
            }
            : new RabbitMQ.Client.SslOption(),
    };

    /// <summary>
    /// Why <paramref name="password"/> must not be used for <paramref name="username"/>, or null. The rabbitmq/ node's
    /// users have their own name as password: fine on this machine, where that node listens only on loopback, and refused
    /// for any other broker, so a deployment cannot start on a development password it forgot to replace.
    /// <paramref name="setting"/> names the configuration key to set (<c>MicroComms:RabbitMq:Password</c>).
    /// </summary>
    public string? DevelopmentPasswordProblem(string username, string password, string setting)
    {
        if (!string.Equals(username, password, StringComparison.Ordinal) || IsLoopback(Host))
        {
            return null;
        }

        var variable = setting.Replace(":", "__", StringComparison.Ordinal);
        return $"{setting} for user '{username}' is the development default (the user's own name), and the broker {Host} is not on this "
            + $"machine: set the real password in the environment variable {variable} or in a file named {variable} in the folder "
            + "MicroComms:SecretsDirectory names.";
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));

    public Uri ToUri() => new($"rabbitmq://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");
}
