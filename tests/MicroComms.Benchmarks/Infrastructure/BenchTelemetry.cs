using System.Diagnostics;
using MicroComms.Messaging.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>
/// Tracing and metrics as a deployment with a collector runs them, for the rows "with telemetry": every trace sampled,
/// spans batched to an exporter, metrics collected every <see cref="MetricInterval"/>; the exporters discard, so the
/// rows measure the processes' cost and not a collector's.
/// </summary>
public static class BenchTelemetry
{
    /// <summary>Prometheus' default scrape interval.</summary>
    public static readonly TimeSpan MetricInterval = TimeSpan.FromSeconds(15);

    /// <summary>A bus host with the MicroComms and MassTransit instrumentation the Host registers, plus the exporters.</summary>
    public static void AddToBusHost(IServiceCollection services) =>
        services.AddOpenTelemetry()
            .WithTracing(t => t.SetSampler(new AlwaysOnSampler()).AddMicroCommsInstrumentation())
            .WithMetrics(m => m.AddMicroCommsInstrumentation());

    /// <summary>The exporters behind the providers a host already has (a MicroComms Host, or <see cref="AddToBusHost"/>).</summary>
    public static void AddExporters(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(t => t.AddProcessor(new BatchActivityExportProcessor(new DiscardingExporter<Activity>())));
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddReader(
            new PeriodicExportingMetricReader(new DiscardingExporter<Metric>(), (int)MetricInterval.TotalMilliseconds)));
    }
}
