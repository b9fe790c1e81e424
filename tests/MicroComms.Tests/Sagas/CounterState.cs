using MassTransit;

namespace MicroComms.Tests.Sagas;

public sealed class CounterState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }

    public int Version { get; set; }

    public string CurrentState { get; set; } = "";

    public int Count { get; set; }

    public string? Name { get; set; }

    public string? Tag { get; set; }
}
