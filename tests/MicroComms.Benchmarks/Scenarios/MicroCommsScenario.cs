using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Messaging;
using MicroComms.Testing;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>Publish -> consume through MicroComms.Messaging's AddMicroComms with its defaults, as a service would.</summary>
public sealed class MicroCommsScenario : BusPublishScenario
{
    public override string Name => "microcomms";

    public override string Description => "AddMicroComms defaults, publish -> consume";

    protected override string Variant => "MicroComms defaults";

    protected override Dictionary<string, string?> Settings(RabbitMqNode node, string vhost) => node.Settings(vhost);

    protected override void AddBus(IServiceCollection services, IConfiguration configuration, RabbitMqNode node, string vhost) =>
        services.AddMicroComms(configuration, x => x.AddConsumer<CountingConsumer>());
}
