namespace MicroComms.Messaging;

public enum TransportKind
{
    /// <summary>MassTransit's in-memory transport: one process, no broker (the embedded default).</summary>
    InMemory,

    /// <summary>RabbitMQ: services in separate processes, messages durable in the broker.</summary>
    RabbitMq,
}
