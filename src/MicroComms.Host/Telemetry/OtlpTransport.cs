namespace MicroComms.Host.Telemetry;

/// <summary>How OTLP is spoken to <see cref="TelemetryOptions.OtlpEndpoint"/>.</summary>
public enum OtlpTransport
{
    Grpc,
    HttpProtobuf,
}
