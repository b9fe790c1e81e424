using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Messaging;
using MicroComms.Messaging.Serialization;
using MicroComms.Testing;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// Publish -> consume through MicroComms.Messaging's AddMicroComms with its defaults, as a service would; on a classic or a
/// quorum queue (<c>MicroComms:RabbitMq:QueueType</c>), on the single node or on the run's 3-node cluster, where every
/// host gets the three nodes and, as MassTransit connects to the first that answers, publisher, consumer and the
/// queue's leader all sit on node 1: the quorum rows measure replication, not a remote leader. With
/// <paramref name="telemetry"/>, also traced (every message sampled) and metered as the Host does it (<see cref="BenchTelemetry"/>).
/// <paramref name="serializer"/> is the envelope the bus writes (<c>MicroComms:Serializer</c>).
/// </summary>
public sealed class MicroCommsScenario(
    string name = "microcomms", QueueType queueType = QueueType.Classic, bool cluster = false, bool telemetry = false, SerializerKind serializer = SerializerKind.Json)
    : BusPublishScenario
{
    public override string Name => name;

    public override string Description =>
        $"AddMicroComms defaults, publish -> consume, {Where}" + (telemetry ? ", tracing (100% sampled) and metrics on" : "")
        + (serializer == SerializerKind.Json ? "" : $", {serializer} envelope");

    protected override string Variant => name switch
    {
        "microcomms" => "MicroComms defaults",
        _ when telemetry => "MicroComms defaults, tracing + metrics",
        _ when serializer != SerializerKind.Json => $"MicroComms defaults, {serializer} envelope",
        _ => $"MicroComms, {Where}",
    };

    private string Where => $"{queueType.ToString().ToLowerInvariant()} queue, {(cluster ? "3 nodes" : "1 node")}";

    /// <summary>A quorum virtual host, so that what MassTransit declares without arguments is a quorum queue as well.</summary>
    protected override string? DefaultQueueType => queueType == QueueType.Quorum ? "quorum" : null;

    protected override Task<BenchContext> BrokerAsync(BenchContext context) => cluster ? context.OnClusterAsync() : Task.FromResult(context);

    protected override Dictionary<string, string?> Settings(RabbitMqNode node, string vhost)
    {
        var settings = node.Settings(vhost);
        settings["MicroComms:RabbitMq:QueueType"] = queueType.ToString();
        settings["MicroComms:Serializer"] = serializer.ToString();
        return settings;
    }

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
