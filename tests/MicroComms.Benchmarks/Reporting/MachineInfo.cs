using System.Runtime.InteropServices;
using System.Text;
using MicroComms.Testing;

namespace MicroComms.Benchmarks.Reporting;

/// <summary>Where the figures were measured: cores, CPU, OS, runtime and the broker's own version.</summary>
public sealed record MachineInfo(int Cores, string Cpu, string OperatingSystem, string Runtime, string Broker)
{
    public static async Task<MachineInfo> DescribeAsync(RabbitMqNode node, CancellationToken cancellationToken)
    {
        var factory = node.ConnectionFactory(node.VirtualHost);
        await using var connection = await factory.CreateConnectionAsync("bench-machine-info", cancellationToken);
        var properties = connection.ServerProperties;
        var product = Text(properties, "product") ?? "broker";
        var version = Text(properties, "version") ?? "unknown version";
        return new MachineInfo(Environment.ProcessorCount, CpuModel(), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, $"{product} {version}");
    }

    public override string ToString() => $"{Cores} cores ({Cpu}), {OperatingSystem}, {Runtime}, {Broker}";

    private static string? Text(IDictionary<string, object?>? properties, string key) =>
        properties is not null && properties.TryGetValue(key, out var value)
            ? value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString()
            : null;

    private static string CpuModel()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!File.Exists(CpuInfo))
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }

        var line = File.ReadLines(CpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }
}
