using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MicroComms.Messaging;
using RabbitMQ.Client;

namespace MicroComms.Testing;

/// <summary>
/// A real broker for the tests: the one the <c>MICROCOMMS_RABBITMQ</c> amqp URI names, or a private node that
/// <c>rabbitmq/start.sh</c> starts (and that the test may stop and start again). Broker tests never skip: when
/// no broker can be had, <see cref="StartAsync"/> throws with the reason. The services' user has no management rights,
/// so the management API (new virtual hosts) and the <c>errors</c> commands use the operator user: the one
/// <c>MICROCOMMS_RABBITMQ_OPERATOR</c> (<c>user:pass</c>) names, else the private node's, else the URI's own user.
/// </summary>
public sealed class RabbitMqNode
{
    public const string UriVariable = "MICROCOMMS_RABBITMQ";
    public const string OperatorVariable = "MICROCOMMS_RABBITMQ_OPERATOR";

    /// <summary>The administrator rabbitmq/definitions.json defines for operators and tests.</summary>
    private const string NodeOperator = "microcomms-operator";
    public const int DefaultPort = 5672;

    private RabbitMqNode(string host, int port, string virtualHost, (string User, string Password) service, (string User, string Password) operatorUser, bool ownNode)
    {
        Host = host;
        Port = port;
        VirtualHost = virtualHost;
        Username = service.User;
        Password = service.Password;
        OperatorUsername = operatorUser.User;
        OperatorPassword = operatorUser.Password;
        IsPrivateNode = ownNode;
    }

    public string Host { get; }

    public int Port { get; }

    public string VirtualHost { get; }

    public string Username { get; }

    public string Password { get; }

    /// <summary>A user with management rights: creates virtual hosts and runs the <c>errors</c> commands.</summary>
    public string OperatorUsername { get; }

    public string OperatorPassword { get; }

    /// <summary>True when the node was started from rabbitmq/ (so it may be stopped), false for MICROCOMMS_RABBITMQ.</summary>
    public bool IsPrivateNode { get; }

    public int ManagementPort => Port + 10000;

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
    public string TlsCaFile => Path.Combine(RepositoryFolder.Root(), "rabbitmq", ".data", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "tls", "ca.pem");

    public Task StartAgainAsync() => RunScriptAsync("start.sh");

    public Task StopAsync() => RunScriptAsync("stop.sh");

    /// <summary>Configuration that points MicroComms at this broker, in <paramref name="virtualHost"/>.</summary>
    public Dictionary<string, string?> Settings(string virtualHost) => new()
    {
        ["MicroComms:Transport"] = "RabbitMq",
        ["MicroComms:RabbitMq:Host"] = Host,
        ["MicroComms:RabbitMq:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MicroComms:RabbitMq:VirtualHost"] = virtualHost,
        ["MicroComms:RabbitMq:Username"] = Username,
        ["MicroComms:RabbitMq:Password"] = Password,
        ["MicroComms:Operator:Username"] = OperatorUsername,
        ["MicroComms:Operator:Password"] = OperatorPassword,
    };

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

    public ConnectionFactory ConnectionFactory(string virtualHost) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = virtualHost,
        UserName = Username,
        Password = Password,
    };

    /// <summary>
    /// A fresh virtual host, so a test starts with no queues and no leftover messages; created by the operator, with
    /// full permissions there for the services' user (test stand-ins such as the widget service declare queues of their
    /// own) and the operator (the <c>errors</c> commands read it over AMQP), and for each service's own user the
    /// permissions rabbitmq/definitions.json gives it on <c>microcomms</c> (users the broker does not have are left out).
    /// </summary>
    public async Task<string> CreateVirtualHostAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";
        using var http = ManagementClient();
        (await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(name)}", null)).EnsureSuccessStatusCode();
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
        await using var connection = await ConnectionFactory(virtualHost).CreateConnectionAsync();
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

    /// <summary>The management API as <paramref name="username"/> (the operator unless named).</summary>
    public HttpClient ManagementClient(string? username = null, string? password = null)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{Host}:{ManagementPort}/") };
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

    private async Task RunScriptAsync(string script)
    {
        if (!IsPrivateNode)
        {
            throw new InvalidOperationException($"The broker from {UriVariable} is not ours to start or stop.");
        }

        var path = Path.Combine(RepositoryFolder.Root(), "rabbitmq", script);
        var start = new ProcessStartInfo("bash", [path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MICROCOMMS_RABBITMQ_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (TlsPort is { } tls)
        {
            start.Environment["MICROCOMMS_RABBITMQ_TLS_PORT"] = tls.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {path}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"rabbitmq/{script} (port {Port}) failed with exit code {process.ExitCode}. Broker tests need a real "
                + $"RabbitMQ: run rabbitmq/install.sh, or set {UriVariable}.\n{await stdout}\n{await stderr}");
        }
    }
}
