namespace MicroComms.Messaging;

/// <summary>
/// The <c>MicroComms</c> configuration section. Its sub-sections bind to their own options types:
/// <c>MicroComms:RabbitMq</c> to <see cref="RabbitMqOptions"/>, <c>MicroComms:Retry</c> to <see cref="RetryOptions"/>.
/// </summary>
public sealed class MicroCommsOptions
{
    public const string SectionName = "MicroComms";

    public TransportKind Transport { get; set; } = TransportKind.InMemory;
}
