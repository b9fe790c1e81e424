using MassTransit;
using MicroComms.Messaging.Sagas;

namespace MicroComms.Tests.Sagas;

public sealed class CounterStateDefinition : SagaDefinition<CounterState>
{
    /// <summary>Enough parallel consumers on the endpoint for events of one counter to really race.</summary>
    public const int ConcurrentLimit = 16;

    public CounterStateDefinition()
    {
        ConcurrentMessageLimit = ConcurrentLimit;
    }

    protected override void ConfigureSaga(
        IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<CounterState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Retry first, then the outbox: an attempt that lost the race publishes nothing.
        endpointConfigurator.UseSagaConcurrencyRetry(context);
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
