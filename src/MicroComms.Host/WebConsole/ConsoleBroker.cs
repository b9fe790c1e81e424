using System.ComponentModel.DataAnnotations;
using MicroComms.Host.Errors;
using MicroComms.Messaging;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// The broker as the console reaches it: the <c>errors</c> commands' <see cref="ErrorQueueClient"/> (same operator user,
/// same confirm-before-ack replay), or a sentence saying why there is none (in-memory transport, invalid settings).
/// </summary>
public sealed class ConsoleBroker(IConfiguration configuration)
{
    /// <summary>The client, or why the queue pages cannot be shown.</summary>
    public (ErrorQueueClient? Client, string? Problem) Connect()
    {
        if (configuration.GetValue("MicroComms:Transport", TransportKind.InMemory) != TransportKind.RabbitMq)
        {
            return (null, "This process runs on the in-memory transport: there are no broker queues to show. Run with --transport rabbitmq.");
        }

        try
        {
            return (ErrorQueueClient.FromConfiguration(configuration), null);
        }
        catch (ValidationException ex)
        {
            return (null, $"The broker settings are invalid: {ex.Message}");
        }
    }
}
