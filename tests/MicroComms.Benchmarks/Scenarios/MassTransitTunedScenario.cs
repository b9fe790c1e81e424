using MassTransit;
using MicroComms.Testing;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// Plain MassTransit 8.5 with everything that costs per message taken away: the raw JSON serializer (the bare ~200-byte
/// payload on the wire, no envelope), a deep prefetch, no concurrency limit below it and no middleware. It trades away
/// what a service needs (message types in the body, retries), so it is no candidate for MicroComms' defaults: it shows
/// how close MassTransit itself gets to the raw limit on this machine, beside the <c>microcomms</c> row.
/// </summary>
public sealed class MassTransitTunedScenario : BusPublishScenario
{
    public override string Name => "masstransit-tuned";

    public override string Description => $"MassTransit 8.5.12 stripped for throughput (raw JSON, prefetch {LimitScenario.Prefetch}, no middleware)";

    protected override string Variant => $"MassTransit, raw JSON, prefetch {LimitScenario.Prefetch}";

    protected override void AddBus(IServiceCollection services, IConfiguration configuration, RabbitMqNode node, string vhost) =>
        AddPlainMassTransit(services, node, vhost, cfg =>
        {
            // The limit scenario's prefetch, also the best value measured for MassTransit here.
            cfg.PrefetchCount = LimitScenario.Prefetch;
            cfg.UseRawJsonSerializer(RawSerializerOptions.All, isDefault: true);
            cfg.UseRawJsonDeserializer(RawSerializerOptions.All, isDefault: true);
        });
}
