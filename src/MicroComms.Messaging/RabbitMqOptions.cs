using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace MicroComms.Messaging;

/// <summary>Broker settings, bound from <c>MicroComms:RabbitMq</c>.</summary>
public sealed class RabbitMqOptions
{
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    /// <summary>
    /// The nodes of a cluster as <c>host:port</c> (or <c>host</c>, on <see cref="Port"/>), tried in turn when connecting and
    /// reconnecting; replaces <see cref="Host"/> and <see cref="Port"/> when set. Give each service's instances the
    /// nodes in a different order to spread their connections over the cluster.
    /// </summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>Classic (the default: one node) or Quorum (a cluster): see <see cref="Messaging.QueueType"/>.</summary>
    public QueueType QueueType { get; set; } = QueueType.Classic;

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
    /// <remarks>A property the configuration binder reads, so it must not throw on a bad <see cref="Hosts"/> entry.</remarks>
    public string ExpectedServerName => !string.IsNullOrWhiteSpace(TlsServerName) ? TlsServerName
        : Hosts.Count > 0 && TryParseNode(Hosts[0]) is { } first ? first.Host : Host;

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
        HostName = Nodes()[0].Host,
        Port = Nodes()[0].Port,
        VirtualHost = VirtualHost,
        UserName = username,
        Password = password,
        RequestedConnectionTimeout = ConnectTimeout,
        AutomaticRecoveryEnabled = false,
        Ssl = Ssl(Nodes()[0].Host),
    };

    /// <summary>TLS for a connection to <paramref name="node"/>: off unless <see cref="UseTls"/>.</summary>
    private RabbitMQ.Client.SslOption Ssl(string node) => UseTls
        ? new RabbitMQ.Client.SslOption(string.IsNullOrWhiteSpace(TlsServerName) ? node : TlsServerName, enabled: true)
        {
            Version = BrokerTls.Protocols,
            CertificateValidationCallback = BrokerTls.Validation(TlsCaFile),
        }
        : new RabbitMQ.Client.SslOption();

    /// <summary>The nodes to connect to, in order: <see cref="Hosts"/>, or <see cref="Host"/>:<see cref="Port"/>.</summary>
    public IReadOnlyList<(string Host, int Port)> Nodes() => Hosts.Count == 0 ? [(Host, Port)] : [.. Hosts.Select(ParseNode)];

    /// <summary><see cref="Nodes"/> for RabbitMQ.Client's <c>CreateConnectionAsync(endpoints, ...)</c>, which tries them in turn.</summary>
    public IList<RabbitMQ.Client.AmqpTcpEndpoint> Endpoints() => [.. Nodes().Select(n => new RabbitMQ.Client.AmqpTcpEndpoint(n.Host, n.Port, Ssl(n.Host)))];

    /// <summary>The nodes as one readable string, for messages: <c>127.0.0.1:5701, 127.0.0.1:5702</c>.</summary>
    public string Describe() => string.Join(", ", Nodes().Select(n => $"{n.Host}:{n.Port}"));

    public Uri ToUri() => new($"rabbitmq://{Nodes()[0].Host}:{Nodes()[0].Port}/{Uri.EscapeDataString(VirtualHost)}");

    /// <summary>What is wrong with <see cref="Hosts"/>, one sentence per bad entry.</summary>
    internal IEnumerable<string> HostsProblems() =>
        Hosts.Where(h => TryParseNode(h) is null)
            .Select(h => $"MicroComms:RabbitMq:Hosts: '{h}' is not host or host:port (port 1-65535).");

    private (string Host, int Port) ParseNode(string node) =>
        TryParseNode(node) ?? throw new InvalidOperationException($"MicroComms:RabbitMq:Hosts: '{node}' is not host or host:port.");

    private (string Host, int Port)? TryParseNode(string node)
    {
        var text = node.Trim();
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return text.Length == 0 ? null : (text, Port);
        }

        return colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? (text[..colon], port)
            : null;
    }

    /// <summary>
    /// Why <paramref name="password"/> must not be used for <paramref name="username"/>, or null. The rabbitmq/ node's
    /// users have their own name as password: fine on this machine, where that node listens only on loopback, and refused
    /// for any other broker, so a deployment cannot start on a development password it forgot to replace.
    /// <paramref name="setting"/> names the configuration key to set (<c>MicroComms:RabbitMq:Password</c>).
    /// </summary>
    public string? DevelopmentPasswordProblem(string username, string password, string setting)
    {
        if (!string.Equals(username, password, StringComparison.Ordinal) || Nodes().All(n => IsLoopback(n.Host)))
        {
            return null;
        }

        var variable = setting.Replace(":", "__", StringComparison.Ordinal);
        return $"{setting} for user '{username}' is the development default (the user's own name), and the broker {Describe()} is not on this "
            + $"machine: set the real password in the environment variable {variable} or in a file named {variable} in the folder "
            + "MicroComms:SecretsDirectory names.";
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));

}
