using System.Text.Json;
using MassTransit;

namespace MicroComms.Messaging;

/// <summary>
/// Throughput defaults of the RabbitMQ bus, measured with tests/MicroComms.Benchmarks (see its README): what plain
/// MassTransit leaves slower than it needs to be for MicroComms' small messages.
/// </summary>
internal static class MicroCommsBusTuning
{
    public static void ApplyMicroCommsTuning(this IRabbitMqBusFactoryConfigurator cfg)
    {
        // MassTransit's shared serializer options write indented JSON: whitespace alone is a large part of a small
        // message's envelope on the wire and in the broker's store. Compact JSON reads the same. A copy is returned
        // because the shared instance is frozen once any bus in the process has serialized with it.
        cfg.ConfigureJsonSerializerOptions(options => new JsonSerializerOptions(options) { WriteIndented = false });
    }
}
