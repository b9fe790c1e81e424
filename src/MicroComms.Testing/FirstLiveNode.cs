using System.Net.Sockets;

namespace MicroComms.Testing;

/// <summary>
/// For an HTTP client's ConnectCallback: a connection to the first of a cluster's nodes that accepts one, whatever host
/// the request names. Every node's management API answers for the whole cluster, so a dead node only costs its attempt.
/// </summary>
internal static class FirstLiveNode
{
    /// <summary>How long one node may take to accept a connection before the next node is tried.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public static async ValueTask<Stream> ConnectAsync(IReadOnlyList<(string Host, int Port)> nodes, CancellationToken cancellationToken)
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
}
