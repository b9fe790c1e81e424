using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MicroComms.Messaging;
using RabbitMQ.Client;

namespace MicroComms.Testing;

/// <summary>
/// A real broker for the tests: the one the <c>MICROCOMMS_RABBITMQ</c> amqp URI names, or a private node that
/// <c>rabbitmq/start.sh</c> starts (and that the test may stop and start again), or a private cluster of such nodes
/// (<see cref="StartClusterAsync"/>). Broker tests never skip: when no broker can be had, <see cref="StartAsync"/>
/// throws with the reason. The services' user has no management rights, so the management API (new virtual hosts) and
/// the <c>errors</c> commands use the operator user: the one <c>MICROCOMMS_RABBITMQ_OPERATOR</c> (<c>user:pass</c>)
/// names, else the private node's, else the URI's own user. Everything here works while any node of a cluster lives.
/// </summary>
public sealed class RabbitMqNode
{
    public const string UriVariable = "MICROCOMMS_RABBITMQ";
    public const string OperatorVariable = "MICROCOMMS_RABBITMQ_OPERATOR";

    /// <summary>The administrator rabbitmq/definitions.json defines for operators and tests.</summary>
    private const string NodeOperator = "microcomms-operator";
    public const int DefaultPort = 5672;

    public const string ClusterPortVariable = "MICROCOMMS_RABBITMQ_CLUSTER_PORT";

    public const int DefaultClusterPort = 5770;

    private RabbitMqNode(string host, int port, string virtualHost, (string User, string Password) service, (string User, string Password) operatorUser, bool ownNode)
        : this([(host, port)], virtualHost, service, operatorUser, ownNode)
    {
    }

    private RabbitMqNode(IReadOnlyList<(string Host, int Port)> nodes, string virtualHost, (string User, string Password) service, (string User, string Password) operatorUser, bool ownNode)
    {
        Nodes = nodes;
        (Host, Port) = nodes[0];
        VirtualHost = virtualHost;
        Username = service.User;
        Password = service.Password;
        OperatorUsername = operatorUser.User;
        OperatorPassword = operatorUser.Password;
        IsPrivateNode = ownNode;
    }

    /// <summary>The first node's host (the only one's, unless a cluster).</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>Every node, in the order services are given them (<c>MicroComms:RabbitMq:Hosts</c>); one for a single node.</summary>
    public IReadOnlyList<(string Host, int Port)> Nodes { get; }

    public string VirtualHost { get; }

    public string Username { get; }

    public string Password { get; }

    /// <summary>A user with management rights: creates virtual hosts and runs the <c>errors</c> commands.</summary>
    public string OperatorUsername { get; }

    public string OperatorPassword { get; }

    /// <summary>True when the node was started from rabbitmq/ (so it may be stopped), false for MICROCOMMS_RABBITMQ.</summary>
    public bool IsPrivateNode { get; }

    public int ManagementPort => ManagementPortOf(Port);

    /// <summary>The rabbitmq/ scripts' convention: a node's management API listens on its AMQP port + 10000.</summary>
    public static int ManagementPortOf(int amqpPort) => amqpPort + 10000;

    /// <summary>The default node: MICROCOMMS_RABBITMQ when set, otherwise the private node on 5672, started when needed.</summary>
    public static async Task<RabbitMqNode> StartDefaultAsync()
    {
        var uri = Environment.GetEnvironmentVariable(UriVariable);
        if (!string.IsNullOrWhiteSpace(uri))
        {
            var parsed = new Uri(uri);
            var user = parsed.UserInfo.Split(':', 2);
            var vhost = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));
            var service = (Uri.UnescapeDataString(user[0]), user.Length > 1 ? Uri.UnescapeDataString(user[1]) : "");
            return new RabbitMqNode(
                parsed.Host,
                parsed.IsDefaultPort ? DefaultPort : parsed.Port,
                vhost.Length == 0 ? "/" : vhost,
                service,
                OperatorFromEnvironment() ?? service,
                ownNode: false);
        }

        return await StartAsync(DefaultPort);
    }

    /// <summary>
    /// A private node on <paramref name="port"/> (its own node name and data folder), started when not running; with
    /// <paramref name="tlsPort"/>, also listening for AMQPS there with rabbitmq/make-cert.sh's certificate (<see cref="TlsCaFile"/>).
    /// </summary>
    public static async Task<RabbitMqNode> StartAsync(int port, int? tlsPort = null)
    {
        var node = new RabbitMqNode(
            "127.0.0.1", port, "microcomms", ("microcomms", "microcomms"), OperatorFromEnvironment() ?? (NodeOperator, NodeOperator), ownNode: true)
        {
            TlsPort = tlsPort,
        };
        await node.StartAgainAsync();
        return node;
    }

    /// <summary>The AMQPS listener of a private node started with one.</summary>
    public int? TlsPort { get; private init; }

    /// <summary>The certificate authority a private node's TLS certificate is signed by (rabbitmq/make-cert.sh).</summary>
    public string TlsCaFile => Path.Combine(RepositoryFolder.Root(), "rabbitmq", ".data", Port.ToString(CultureInfo.InvariantCulture), "tls", "ca.pem");

    /// <summary>
    /// The private 3-node cluster of the tests and the benchmark, on <c>MICROCOMMS_RABBITMQ_CLUSTER_PORT</c> and the two ports
    /// after it (default 5770-5772), so two checkouts on one machine can each have one.
    /// </summary>
    public static Task<RabbitMqNode> StartDefaultClusterAsync() => StartClusterAsync(DefaultClusterFirstPort());

    /// <summary>The default cluster's first AMQP port: <c>MICROCOMMS_RABBITMQ_CLUSTER_PORT</c>, else 5770.</summary>
    public static int DefaultClusterFirstPort()
    {
        var configured = Environment.GetEnvironmentVariable(ClusterPortVariable);
        return string.IsNullOrWhiteSpace(configured) ? DefaultClusterPort : int.Parse(configured, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A private cluster of <paramref name="size"/> nodes on AMQP ports <paramref name="firstPort"/>, +1, ...:
    /// <c>rabbitmq/start.sh --cluster</c> (one Erlang cookie, joined to the first node, its <c>microcomms</c> virtual host
    /// with default queue type quorum); a cluster that already runs is left as it is.
    /// </summary>
    public static async Task<RabbitMqNode> StartClusterAsync(int firstPort, int size = 3)
    {
        var node = new RabbitMqNode(
            [.. Enumerable.Range(firstPort, size).Select(p => ("127.0.0.1", p))],
            "microcomms",
            ("microcomms", "microcomms"),
            OperatorFromEnvironment() ?? (NodeOperator, NodeOperator),
            ownNode: true);
        await node.StartAgainAsync();
        return node;
    }

    /// <summary>Starts the node, or every node of a cluster that is not running (all at once: they wait for each other).</summary>
    public Task StartAgainAsync() => Nodes.Count == 1 ? StartNodeAsync(0) : StartClusterNodesAsync();

    public Task StopAsync() =>
        Nodes.Count == 1 ? StopNodeAsync(0) : RunScriptAsync("stop.sh", Port, "--cluster", Nodes.Count.ToString(CultureInfo.InvariantCulture));

    /// <summary>Starts node <paramref name="index"/> (0-based) when it is not running; a cluster's node rejoins by itself.</summary>
    public Task StartNodeAsync(int index) => RunScriptAsync("start.sh", Nodes[index].Port);

    public Task StopNodeAsync(int index) => RunScriptAsync("stop.sh", Nodes[index].Port);

    /// <summary>Kills node <paramref name="index"/>'s Erlang VM with SIGKILL (a machine that dies), and waits until it is gone.</summary>
    public Task KillNodeAsync(int index) => RunScriptAsync("kill.sh", Nodes[index].Port);

    /// <summary>
    /// <c>start.sh --cluster</c>, and once more if it fails: RabbitMQ 3.10 sometimes refuses to boot a node whose peers are
    /// booting at the same moment (<c>incompatible_feature_flags</c>, <c>badmap</c>); start.sh stops what it launched, and
    /// a second boot works.
    /// </summary>
    private async Task StartClusterNodesAsync()
    {
        var size = Nodes.Count.ToString(CultureInfo.InvariantCulture);
        try
        {
            await RunScriptAsync("start.sh", Port, "--cluster", size);
        }
        catch (InvalidOperationException)
        {
            await RunScriptAsync("start.sh", Port, "--cluster", size);
        }
    }

    /// <summary>Configuration that points MicroComms at this broker (every node of a cluster), in <paramref name="virtualHost"/>.</summary>
    public Dictionary<string, string?> Settings(string virtualHost)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "RabbitMq",
            ["MicroComms:RabbitMq:Host"] = Host,
            ["MicroComms:RabbitMq:Port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["MicroComms:RabbitMq:VirtualHost"] = virtualHost,
            ["MicroComms:RabbitMq:Username"] = Username,
            ["MicroComms:RabbitMq:Password"] = Password,
            ["MicroComms:Operator:Username"] = OperatorUsername,
            ["MicroComms:Operator:Password"] = OperatorPassword,
        };
        if (Nodes.Count > 1)
        {
            for (var i = 0; i < Nodes.Count; i++)
            {
                settings[$"MicroComms:RabbitMq:Hosts:{i}"] = $"{Nodes[i].Host}:{Nodes[i].Port}";
            }
        }

        return settings;
    }

    /// <summary>
    /// <see cref="Settings"/> for a process that runs only <paramref name="service"/>, as that service's broker user
    /// (rabbitmq/definitions.json; on a node from rabbitmq/ its password is its name) with its own scheduler queue.
    /// </summary>
    public Dictionary<string, string?> ServiceSettings(string virtualHost, string service)
    {
        var settings = Settings(virtualHost);
        settings["MicroComms:RabbitMq:Username"] = BrokerPermission.ServiceUser(service);
        settings["MicroComms:RabbitMq:Password"] = BrokerPermission.ServiceUser(service);
        settings["MicroComms:Scheduler:QueueName"] = BrokerPermission.SchedulerQueue(service);
        return settings;
    }

    /// <summary>A factory for the first node; connect with <see cref="ConnectAsync"/> to reach any live node.</summary>
    public ConnectionFactory ConnectionFactory(string virtualHost) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = virtualHost,
        UserName = Username,
        Password = Password,
    };

    /// <summary>An AMQP connection as the services' user to whichever node answers (RabbitMQ.Client tries them in turn).</summary>
    public Task<IConnection> ConnectAsync(string virtualHost, CancellationToken cancellationToken = default) =>
        ConnectionFactory(virtualHost).CreateConnectionAsync(Endpoints(), cancellationToken);

    public IList<AmqpTcpEndpoint> Endpoints() => [.. Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port))];

    /// <summary>
    /// A fresh virtual host, so a test starts with no queues and no leftover messages; created by the operator, with
    /// full permissions there for the services' user (test stand-ins such as the widget service declare queues of their
    /// own) and the operator (the <c>errors</c> commands read it over AMQP), and for each service's own user the
    /// permissions rabbitmq/definitions.json gives it on <c>microcomms</c> (users the broker does not have are left out).
    /// </summary>
    /// <remarks>
    /// <paramref name="defaultQueueType"/> <c>quorum</c> makes the queues declared there without <c>x-queue-type</c>
    /// (a sender's <c>queue:</c> address) quorum queues, what a cluster's virtual host needs with QueueType=Quorum.
    /// </remarks>
    public async Task<string> CreateVirtualHostAsync(string prefix, string? defaultQueueType = null)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";
        using var http = ManagementClient();
        // RabbitMQ 3.10's management API spells it without underscores.
        using var body = defaultQueueType is null ? null : JsonContent.Create(new Dictionary<string, string> { ["defaultqueuetype"] = defaultQueueType });
        (await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(name)}", body)).EnsureSuccessStatusCode();
        var everything = new BrokerPermission(Username, ".*", ".*", ".*");
        var definitions = BrokerPermission.Load(Path.Combine(RepositoryFolder.Root(), "rabbitmq", "definitions.json"))
            .Where(p => p.User != Username && p.User != OperatorUsername);
        foreach (var permission in definitions.Prepend(everything with { User = OperatorUsername }).Prepend(everything).DistinctBy(p => p.User))
        {
            using var response = await http.PutAsJsonAsync(
                $"api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(permission.User)}",
                new { configure = permission.Configure, write = permission.Write, read = permission.Read });
            if (response.StatusCode != System.Net.HttpStatusCode.BadRequest || permission.User == Username || permission.User == OperatorUsername)
            {
                response.EnsureSuccessStatusCode();
            }
        }

        return name;
    }

    public async Task DeleteVirtualHostAsync(string virtualHost)
    {
        using var http = ManagementClient();
        await http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(virtualHost)}");
    }

    /// <summary>Ready messages in a queue, or null when the queue does not exist.</summary>
    public async Task<uint?> MessageCountAsync(string virtualHost, string queue)
    {
        await using var connection = await ConnectAsync(virtualHost);
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return ok.MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return null;
        }
    }

    /// <summary>
    /// The management API as <paramref name="username"/> (the operator unless named), on the first node of
    /// <see cref="Nodes"/> that accepts a connection: every node of a cluster answers for the whole cluster.
    /// </summary>
    public HttpClient ManagementClient(string? username = null, string? password = null)
    {
        var nodes = Nodes.Select(n => (n.Host, ManagementPortOf(n.Port))).ToList();
        var handler = new SocketsHttpHandler { ConnectCallback = (_, ct) => FirstLiveNode.ConnectAsync(nodes, ct) };
        var http = new HttpClient(handler) { BaseAddress = new Uri($"http://{Host}:{ManagementPort}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username ?? OperatorUsername}:{password ?? OperatorPassword}")));
        return http;
    }

    private static (string User, string Password)? OperatorFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(OperatorVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var parts = value.Split(':', 2);
        return parts.Length == 2
            ? (parts[0], parts[1])
            : throw new InvalidOperationException($"{OperatorVariable} must be user:password.");
    }

    private void EnsurePrivate()
    {
        if (!IsPrivateNode)
        {
            throw new InvalidOperationException($"The broker from {UriVariable} is not ours to start or stop.");
        }
    }

    /// <summary>Runs a rabbitmq/ script for the node on <paramref name="port"/>; its standard output.</summary>
    private async Task<string> RunScriptAsync(string script, int port, params string[] args)
    {
        EnsurePrivate();
        var path = Path.Combine(RepositoryFolder.Root(), "rabbitmq", script);
        var start = new ProcessStartInfo("bash", [path, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MICROCOMMS_RABBITMQ_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        if (TlsPort is { } tls && port == Port)
        {
            start.Environment["MICROCOMMS_RABBITMQ_TLS_PORT"] = tls.ToString(CultureInfo.InvariantCulture);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {path}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"rabbitmq/{script} {string.Join(' ', args)} (port {port}) failed with exit code {process.ExitCode}. Broker tests need a real "
                + $"RabbitMQ: run rabbitmq/install.sh, or set {UriVariable}.\n{await stdout}\n{await stderr}");
        }

        return await stdout;
    }
}
