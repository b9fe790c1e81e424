using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Messaging;
using MicroComms.Testing;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// Publish -> consume through MicroComms.Messaging's AddMicroComms with its defaults, as a service would; with
/// <paramref name="telemetry"/>, also traced (every message sampled) and metered as the Host does it (<see cref="BenchTelemetry"/>).
/// </summary>
public sealed class MicroCommsScenario(bool telemetry = false) : BusPublishScenario
{
    public override string Name => telemetry ? "microcomms-telemetry" : "microcomms";

    public override string Description => "AddMicroComms defaults, publish -> consume" + (telemetry ? ", tracing (100% sampled) and metrics on" : "");

    protected override string Variant => telemetry ? "MicroComms defaults, tracing + metrics" : "MicroComms defaults";

    protected override Dictionary<string, string?> Settings(RabbitMqNode node, string vhost) => node.Settings(vhost);

    protected override void AddBus(IServiceCollection services, IConfiguration configuration, RabbitMqNode node, string vhost)
    {
        services.AddMicroComms(configuration, x => x.AddConsumer<CountingConsumer>());
        if (telemetry)
        {
            BenchTelemetry.AddToBusHost(services);
            BenchTelemetry.AddExporters(services);
        }
    }
}
