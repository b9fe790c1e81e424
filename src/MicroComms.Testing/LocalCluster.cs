using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;

namespace MicroComms.Testing;

/// <summary>
/// Private rabbitmq/ nodes on loopback made into one cluster, the way RabbitMQ documents it: one Erlang cookie for all,
/// then each further node resets and joins the first (<c>rabbitmqctl join_cluster</c>). Node names and data folders are
/// the scripts' (<c>microcomms-PORT@localhost</c>, <c>rabbitmq/.data/PORT</c>).
/// </summary>
internal static class LocalCluster
{
    /// <summary>How long one node's management port may take to accept a connection before the next node is tried.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private const int StartAttempts = 3;

    /// <summary>Starts the nodes on <paramref name="ports"/> and joins the others to the first; idempotent.</summary>
    public static async Task FormAsync(IReadOnlyList<int> ports, Func<string, int, string[], Task<string>> run)
    {
        if (!File.Exists(CookiePath(ports[0])))
        {
            // The first start of the first node writes the cookie the others take.
            await run("start.sh", ports[0], []);
        }

        var cookie = await File.ReadAllTextAsync(CookiePath(ports[0]));
        foreach (var port in ports.Skip(1))
        {
            var path = CookiePath(port);
            if (File.Exists(path) && await File.ReadAllTextAsync(path) == cookie)
            {
                continue;
            }

            // A node with a cookie of its own cannot talk to the others: it takes the first node's before it starts.
            await run("stop.sh", port, []);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Delete(path);
            await File.WriteAllTextAsync(path, cookie);
            if (!OperatingSystem.IsWindows())
            {
                // Erlang refuses a cookie others may read.
                File.SetUnixFileMode(path, UnixFileMode.UserRead);
            }
        }

        // All at once: a cluster's node that stopped before the others waits at boot until one of them is back.
        await Task.WhenAll(ports.Select(p => StartAsync(p, run)));
        var first = NodeName(ports[0]);
        foreach (var port in ports.Skip(1))
        {
            if (RunningNodes(await run("ctl.sh", ports[0], ["cluster_status", "--formatter", "json"])).Contains(NodeName(port)))
            {
                continue;
            }

            // reset wipes the joining node's own definitions; the cluster keeps the first node's (vhosts, users).
            await run("ctl.sh", port, ["stop_app"]);
            await run("ctl.sh", port, ["reset"]);
            await run("ctl.sh", port, ["join_cluster", first]);
            await run("ctl.sh", port, ["start_app"]);
        }
    }

    /// <summary>
    /// Starts one node, and again if it fails: RabbitMQ 3.10 sometimes refuses to boot a node whose peers are booting at the
    /// same moment (<c>incompatible_feature_flags</c>, <c>badmap</c>); start.sh stops what it launched, and a second boot works.
    /// </summary>
    private static async Task StartAsync(int port, Func<string, int, string[], Task<string>> run)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await run("start.sh", port, []);
                return;
            }
            catch (InvalidOperationException) when (attempt < StartAttempts)
            {
            }
        }
    }

    /// <summary>The Erlang VM's pid of the node on <paramref name="port"/>, or null when it has no pid file.</summary>
    public static int? NodePid(int port)
    {
        var file = Path.Combine(DataFolder(port), "rabbitmq.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>A connection to the first of <paramref name="nodes"/> that accepts one, for an HTTP client's ConnectCallback.</summary>
    public static async ValueTask<Stream> ConnectToFirstLiveAsync(IReadOnlyList<(string Host, int Port)> nodes, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var (host, port) in nodes)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ConnectTimeout);
                await socket.ConnectAsync(host, port, timeout.Token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                socket.Dispose();
                failures.Add($"{host}:{port} ({ex.Message})");
            }
        }

        throw new HttpRequestException("No node's management API accepts connections: " + string.Join(", ", failures));
    }

    private static string NodeName(int port) => $"microcomms-{port}@localhost";

    private static string DataFolder(int port) =>
        Path.Combine(RepositoryFolder.Root(), "rabbitmq", ".data", port.ToString(CultureInfo.InvariantCulture));

    private static string CookiePath(int port) => Path.Combine(DataFolder(port), "home", ".erlang.cookie");

    private static HashSet<string> RunningNodes(string clusterStatusJson)
    {
        using var status = JsonDocument.Parse(clusterStatusJson);
        return [.. status.RootElement.GetProperty("running_nodes").EnumerateArray().Select(n => n.GetString() ?? "")];
    }
}
