using System.Diagnostics;
using System.Globalization;
using MicroComms.Messaging;

namespace MicroComms.Host.Crash;

/// <summary>The repository's rabbitmq/ scripts for one private node: start, stop, and rabbitmqctl.</summary>
internal sealed class BrokerScripts(string rabbitmqDirectory, int port)
{
    // start.sh takes 5-6 s on an idle machine; on a loaded one (load average above 40 on two cores) it has taken over two minutes.
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

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

    /// <summary>
    /// A fresh virtual host, so a run starts with empty queues, on which every user of definitions.json has the permissions
    /// it has on <c>microcomms</c> (each service's user only its own queues and exchanges): one import of those permissions.
    /// </summary>
    public async Task CreateVirtualHostAsync(string name, CancellationToken cancellationToken)
    {
        await RunAsync(["ctl.sh", "add_vhost", name], cancellationToken);
        var permissions = Path.Combine(Path.GetTempPath(), $"microcomms-permissions-{name}.json");
        await File.WriteAllTextAsync(
            permissions, BrokerPermission.DefinitionsFor(name, BrokerPermission.Load(Path.Combine(rabbitmqDirectory, "definitions.json"))), cancellationToken);
        try
        {
            await RunAsync(["ctl.sh", "import_definitions", permissions], cancellationToken);
        }
        finally
        {
            File.Delete(permissions);
        }
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
