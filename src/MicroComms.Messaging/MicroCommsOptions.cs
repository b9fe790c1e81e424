using System.ComponentModel.DataAnnotations;

namespace MicroComms.Messaging;

/// <summary>
/// The <c>MicroComms</c> configuration section. Its sub-sections bind to their own options types:
/// <c>MicroComms:RabbitMq</c> to <see cref="RabbitMqOptions"/>, <c>MicroComms:Retry</c> to <see cref="RetryOptions"/>.
/// </summary>
public sealed class MicroCommsOptions
{
    public const string SectionName = "MicroComms";

    public TransportKind Transport { get; set; } = TransportKind.InMemory;

    /// <summary>
    /// How long shutdown waits for the bus to stop before giving up on it. Without a bound, a receive endpoint stuck
    /// re-declaring its topology after a broker restart (RabbitMQ.Client waiting for a reply that never comes) held
    /// the process open for good; consumers in flight get the same time to finish.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
