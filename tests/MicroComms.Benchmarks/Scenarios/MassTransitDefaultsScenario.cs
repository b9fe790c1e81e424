using MicroComms.Testing;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>Plain MassTransit 8.5 over RabbitMQ with every default: what a user gets without MicroComms.</summary>
public sealed class MassTransitDefaultsScenario : BusPublishScenario
{
    public override string Name => "masstransit-defaults";

    public override string Description => "MassTransit 8.5.12 defaults, publish -> consume";

    protected override string Variant => "MassTransit defaults";

    protected override void AddBus(IServiceCollection services, IConfiguration configuration, RabbitMqNode node, string vhost) =>
        AddPlainMassTransit(services, node, vhost);
}
