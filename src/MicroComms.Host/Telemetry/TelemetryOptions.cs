using System.ComponentModel.DataAnnotations;

namespace MicroComms.Host.Telemetry;

/// <summary>Traces, metrics and where they go, bound from <c>MicroComms:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "MicroComms:Telemetry";

    /// <summary>Off: no spans recorded, no MicroComms or MassTransit instruments collected, no <c>/metrics</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where traces and metrics are exported over OTLP (e.g. <c>http://127.0.0.1:4317</c>); unset, nothing leaves the
    /// process: spans are recorded for nobody and metrics are only scraped from <c>/metrics</c>.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> (port 4317 by convention) or <c>HttpProtobuf</c> (4318).</summary>
    public OtlpTransport OtlpProtocol { get; set; } = OtlpTransport.Grpc;

    /// <summary>The share of traces kept, decided where a trace starts (the rest of the trace follows that decision).</summary>
    [Range(0.0, 1.0)]
    public double SamplingRatio { get; set; } = 1.0;

    /// <summary>The <c>service.name</c> resource; unset, <c>microcomms-</c> and the services this process runs.</summary>
    public string? ServiceName { get; set; }

    /// <summary>Over RabbitMQ: the error and skipped queues' depths from the management API, read on each scrape.</summary>
    public bool ErrorQueueDepth { get; set; } = true;
}
