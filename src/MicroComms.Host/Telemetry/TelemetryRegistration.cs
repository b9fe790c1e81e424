using MicroComms.Messaging;
using MicroComms.Messaging.Telemetry;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MicroComms.Host.Telemetry;

/// <summary>
/// OpenTelemetry in a MicroComms process (<c>MicroComms:Telemetry</c>): spans of ASP.NET Core (REST and gRPC), outgoing
/// HTTP, MassTransit, MicroComms' background sends and EF Core; MassTransit's and MicroComms' meters, ASP.NET Core's and
/// HttpClient's; <c>/metrics</c> for Prometheus; OTLP only where an endpoint is configured. Console logs in JSON
/// (<c>Logging:Console:FormatterName=json</c>) carry their scopes: the trace and span ids, and a consumed message's id,
/// type and endpoint.
/// </summary>
internal static class TelemetryRegistration
{
    public static IServiceCollection AddMicroCommsTelemetry(this IServiceCollection services, IConfiguration configuration, string processName)
    {
        var section = configuration.GetSection(TelemetryOptions.SectionName);
        services.AddOptions<TelemetryOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();

        // A JSON line is what a log pipeline joins to traces: it always carries its scopes (TraceId, SpanId, MessageId).
        services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        var options = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!options.Enabled)
        {
            return services;
        }

        var transport = configuration.GetValue("MicroComms:Transport", TransportKind.InMemory);
        if (transport == TransportKind.RabbitMq && options.ErrorQueueDepth)
        {
            services.AddSingleton<ErrorQueueGauge>();
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName ?? $"microcomms-{processName}"))
            .WithTracing(tracing =>
            {
                tracing
                    .SetSampler(new ParentBasedSampler(options.SamplingRatio >= 1.0 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(options.SamplingRatio)))
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrape(http))
                    .AddHttpClientInstrumentation()
                    .AddMicroCommsInstrumentation();
                if (options.OtlpEndpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(o => Otlp(o, endpoint, options.OtlpProtocol, "v1/traces"));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddMicroCommsInstrumentation()
                    .AddPrometheusExporter();
                if (transport == TransportKind.RabbitMq && options.ErrorQueueDepth)
                {
                    metrics.AddInstrumentation(provider => provider.GetRequiredService<ErrorQueueGauge>());
                }

                if (options.OtlpEndpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter(o => Otlp(o, endpoint, options.OtlpProtocol, "v1/metrics"));
                }
            });
        return services;
    }

    /// <summary><c>GET /metrics</c> in Prometheus' text format, where telemetry is on.</summary>
    public static void MapMicroCommsMetrics(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.Enabled)
        {
            app.MapPrometheusScrapingEndpoint();
        }
    }

    /// <summary>A scrape every few seconds is not what a trace is for.</summary>
    private static bool IsScrape(HttpContext http) => http.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal);

    /// <summary>Over HTTP an endpoint set in code is used as is, so the signal's path is added here (gRPC has none).</summary>
    private static void Otlp(OtlpExporterOptions o, Uri endpoint, OtlpTransport protocol, string httpPath)
    {
        if (protocol == OtlpTransport.HttpProtobuf)
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + httpPath);
        }
        else
        {
            o.Protocol = OtlpExportProtocol.Grpc;
            o.Endpoint = endpoint;
        }
    }
}
