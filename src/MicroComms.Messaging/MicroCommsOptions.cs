using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging;

/// <summary>
/// The <c>MicroComms</c> configuration section. Its sub-sections bind to their own options types:
/// <c>MicroComms:RabbitMq</c> to <see cref="RabbitMqOptions"/>, <c>MicroComms:Retry</c> to <see cref="Retry.RetryOptions"/>.
/// </summary>
public sealed class MicroCommsOptions
{
    public const string SectionName = "MicroComms";

    public TransportKind Transport { get; set; } = TransportKind.InMemory;

    /// <summary>The envelope this process writes; every endpoint reads both (see <see cref="Serialization.SerializerKind"/>).</summary>
    public Serialization.SerializerKind Serializer { get; set; } = Serialization.SerializerKind.Json;

    /// <summary>
    /// How long shutdown waits for consumers in flight and for the bus to stop. Past it (plus a few seconds' grace for
    /// MassTransit to finish a cancelled stop) shutdown goes on without the bus: see <see cref="BoundedBusStop"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
