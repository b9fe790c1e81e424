using System.Net;
using System.Net.Sockets;
using MicroComms.Host.Errors;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests.Cluster;

/// <summary>Every node of the list is down (nothing listens on their ports): no broker needed.</summary>
public sealed class ErrorsWithNoNodeUp_Specs(ITestOutputHelper output)
{
    [Fact]
    public async Task With_every_node_down_errors_list_and_show_fail_with_one_sentence_naming_every_node_tried()
    {
        var ports = Enumerable.Range(0, 3).Select(_ => FreePort()).ToList();
        var settings = new Dictionary<string, string?> { ["MicroComms:RabbitMq:ConnectTimeout"] = "00:00:05" };
        for (var i = 0; i < ports.Count; i++)
        {
            settings[$"MicroComms:RabbitMq:Hosts:{i}"] = $"127.0.0.1:{ports[i]}";
        }

        var list = await ErrorsCli.RunAsync(settings, "errors", "list");
        var show = await ErrorsCli.RunAsync(settings, "errors", "show", "refusing_error");
        output.WriteLine(list.Error + show.Error);

        Assert.Equal(ExitCodes.Failure, list.ExitCode);
        Assert.Equal(ExitCodes.Failure, show.ExitCode);
        Assert.Single(list.Error.Trim().Split('\n'));
        Assert.Single(show.Error.Trim().Split('\n'));
        foreach (var port in ports)
        {
            Assert.Contains($"127.0.0.1:{port + 10000}", list.Error, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{port}", show.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>A loopback port that nothing listens on, nor on its management port (+ 10000).</summary>
    private static int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20_000, 30_000);
            if (IsFree(port) && IsFree(port + 10_000))
            {
                return port;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
