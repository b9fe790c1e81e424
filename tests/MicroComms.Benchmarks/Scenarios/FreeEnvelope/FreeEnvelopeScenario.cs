using MassTransit;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Messaging;
using MicroComms.Testing;

namespace MicroComms.Benchmarks.Scenarios.FreeEnvelope;

/// <summary>
/// The <c>microcomms</c> row with an envelope that costs nothing (<see cref="FreeEnvelopeSerializer"/>): the upper bound
/// of what any envelope format could give on issue 22's throughput goal. AddMicroComms with its defaults, as
/// <c>microcomms-binary</c> does, plus the free envelope's deserializer on every endpoint (so MicroComms' incoming rules
/// accept its content type) and its serializer on every publish. MicroComms registers the bus transport itself and
/// offers no seam to add a serializer to the bus, so the publish pipe picks it; that pipe is one delegate call per message.
/// </summary>
internal sealed class FreeEnvelopeScenario : BusPublishScenario
{
    private static readonly IPipe<PublishContext<BenchMessage>> WriteFreeEnvelope =
        Pipe.Execute<PublishContext<BenchMessage>>(context => context.Serializer = FreeEnvelopeSerializer.Instance);

    public override string Name => "microcomms-free-envelope";

    public override string Description =>
        "AddMicroComms defaults, publish -> consume, classic queue, 1 node, an envelope that costs nothing (16-byte body, nothing parsed): the bound for any format";

    protected override string Variant => "MicroComms defaults, free envelope";

    protected override IPipe<PublishContext<BenchMessage>>? PublishPipe => WriteFreeEnvelope;

    protected override Dictionary<string, string?> Settings(RabbitMqNode node, string vhost) => node.Settings(vhost);

    protected override void AddBus(IServiceCollection services, IConfiguration configuration, RabbitMqNode node, string vhost) =>
        services.AddMicroComms(configuration, x =>
        {
            x.AddConsumer<CountingConsumer>();
            x.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.AddDeserializer(new FreeEnvelopeSerializerFactory()));
        });
}
