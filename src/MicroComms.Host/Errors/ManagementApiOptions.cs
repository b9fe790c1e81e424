using System.ComponentModel.DataAnnotations;
using MicroComms.Messaging;

namespace MicroComms.Host.Errors;

/// <summary>
/// Where the broker's management HTTP API listens, bound from the same <c>MicroComms:RabbitMq</c> section
/// as the AMQP settings, on every node of <c>Hosts</c> (or on <c>Host</c>). Unset port means each node's AMQP port + 10000,
/// the rabbitmq/ scripts' convention; a port set here is the same on every node (15672, RabbitMQ's own default).
/// </summary>
public sealed class ManagementApiOptions
{
    [Range(1, 65535)]
    public int? ManagementPort { get; set; }

    [RegularExpression("^https?$")]
    public string ManagementScheme { get; set; } = "http";

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ManagementTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Each node's management API, in the order of the broker's node list.</summary>
    public IEnumerable<Uri> BaseAddresses(RabbitMqOptions broker) =>
        broker.Nodes().Select(n => new Uri($"{ManagementScheme}://{n.Host}:{ManagementPort ?? n.Port + 10000}/"));
}
