using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace MicroComms.Host.Crash;

/// <summary>The repository's rabbitmq/ scripts for one private node: start, stop, kill -9, and rabbitmqctl.</summary>
internal sealed class BrokerScripts(string rabbitmqDirectory, int port)
{
    // start.sh takes 5-6 s on an idle machine; on a loaded one (load average above 40 on two cores) it has taken over two minutes.
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ApiTimeout = TimeSpan.FromSeconds(30);

    /// <summary>rabbitmq/node-env.sh: the management API listens on AMQP + 10000.</summary>
    private const int ManagementPortOffset = 10000;

    public int Port { get; } = port;

    /// <summary>The rabbitmq/ folder above <paramref name="start"/>, or null.</summary>
    public static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "rabbitmq");
            if (File.Exists(Path.Combine(candidate, "start.sh")))
            {
                return candidate;
            }
        }

        return null;
    }

    public Task StartAsync(CancellationToken cancellationToken) => RunAsync(["start.sh"], cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => RunAsync(["stop.sh"], cancellationToken);

    /// <summary>start.sh --cluster <paramref name="nodes"/>: this node and the next ones, joined, ready when all report the cluster.</summary>
    public Task StartClusterAsync(int nodes, CancellationToken cancellationToken) =>
        RunAsync(["start.sh", "--cluster", nodes.ToString(CultureInfo.InvariantCulture)], cancellationToken);

    public Task StopClusterAsync(int nodes, CancellationToken cancellationToken) =>
        RunAsync(["stop.sh", "--cluster", nodes.ToString(CultureInfo.InvariantCulture)], cancellationToken);

    /// <summary>SIGKILL of the node (kill.sh): no shutdown, as when its machine dies.</summary>
    public Task KillAsync(CancellationToken cancellationToken) => RunAsync(["kill.sh"], cancellationToken);

    /// <summary>The node name rabbitmq/node-env.sh gives this port.</summary>
    public string NodeName => $"microcomms-{Port.ToString(CultureInfo.InvariantCulture)}@localhost";

    /// <summary>Nodes of the cluster this node counts as running (management API: a CLI call costs seconds on a busy machine).</summary>
    public async Task<int> RunningNodesAsync(CancellationToken cancellationToken)
    {
        using var http = ManagementClient();
        var nodes = await http.GetFromJsonAsync<List<ManagementNode>>("api/nodes?columns=name,running", cancellationToken) ?? [];
        return nodes.Count(n => n.Running);
    }

    /// <summary>
    /// Waits until every quorum queue with a member on this node has a quorum and one more online, so that taking this
    /// node away leaves each a majority (what an upgrade checks before it stops a node).
    /// </summary>
    public Task AwaitQuorumPlusOneAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(["ctl.sh", "rabbitmq-upgrade", "await_online_quorum_plus_one", "-t", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)], cancellationToken);

    /// <summary>
    /// The node each queue of <paramref name="virtualHost"/> lives on: a quorum queue's leader, a classic queue's only
    /// node (from its process id, <c>&lt;microcomms-5900@localhost.1.2.3&gt;</c>).
    /// </summary>
    public async Task<Dictionary<string, string>> QueueNodesAsync(string virtualHost, CancellationToken cancellationToken)
    {
        using var http = ManagementClient();
        var queues = await http.GetFromJsonAsync<List<ManagementQueue>>(
            $"api/queues/{Uri.EscapeDataString(virtualHost)}?columns=name,leader,node", cancellationToken) ?? [];
        return queues.ToDictionary(q => q.Name, q => q.Leader ?? q.Node ?? "");
    }

    /// <summary>
    /// The node's management API as the operator (<c>MICROCOMMS_RABBITMQ_OPERATOR</c> = user:password, else the one
    /// rabbitmq/definitions.json defines).
    /// </summary>
    private HttpClient ManagementClient()
    {
        var user = Environment.GetEnvironmentVariable("MICROCOMMS_RABBITMQ_OPERATOR") is { Length: > 0 } configured ? configured : "microcomms-operator:microcomms-operator";
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{(Port + ManagementPortOffset).ToString(CultureInfo.InvariantCulture)}/"), Timeout = ApiTimeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
        return http;
    }

    private sealed record ManagementNode(string Name, bool Running);

    /// <summary>A quorum queue has a leader; a classic queue lives on one node.</summary>
    private sealed record ManagementQueue(string Name, string? Leader, string? Node);

    /// <summary>
    /// A fresh virtual host on which <paramref name="user"/> may do everything, so a run starts with empty queues; with
    /// <paramref name="quorum"/> its default queue type is quorum, so MassTransit's queues (declared without a type) are
    /// quorum queues while its temporary reply queues stay classic.
    /// </summary>
    public async Task CreateVirtualHostAsync(string name, string user, bool quorum, CancellationToken cancellationToken)
    {
        await RunAsync(quorum ? ["ctl.sh", "add_vhost", name, "--default-queue-type", "quorum"] : ["ctl.sh", "add_vhost", name], cancellationToken);
        await RunAsync(["ctl.sh", "set_permissions", "-p", name, user, ".*", ".*", ".*"], cancellationToken);
    }

    public Task DeleteVirtualHostAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(["ctl.sh", "delete_vhost", name], cancellationToken);

    /// <summary>Messages in each queue of <paramref name="virtualHost"/>, ready and unacknowledged together.</summary>
    public async Task<Dictionary<string, int>> QueueDepthsAsync(string virtualHost, CancellationToken cancellationToken)
    {
        var output = await RunAsync(["ctl.sh", "list_queues", "-p", virtualHost, "name", "messages", "--quiet", "--no-table-headers"], cancellationToken);
        var depths = new Dictionary<string, int>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('\t', StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var messages))
            {
                depths[parts[0]] = messages;
            }
        }

        return depths;
    }

    private async Task<string> RunAsync(string[] command, CancellationToken cancellationToken)
    {
        var (script, arguments) = (command[0], command[1..]);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(rabbitmqDirectory, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MICROCOMMS_RABBITMQ_PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run rabbitmq/{script}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScriptTimeout);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"rabbitmq/{script} {string.Join(' ', arguments)} (port {Port}) failed with exit code {process.ExitCode}: {await errors}{await output}");
        }

        return await output;
    }
}
