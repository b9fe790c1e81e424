using OpenTelemetry;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>
/// An exporter that drops what it is given: behind a batch processor (spans) or a periodic reader (metrics) it costs what
/// a real exporter's pipeline costs in the process (recording, batching, collecting), without the network.
/// </summary>
public sealed class DiscardingExporter<T> : BaseExporter<T>
    where T : class
{
    public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
}
