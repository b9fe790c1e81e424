using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.Sagas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MicroComms.Orders.Saga;

/// <summary>The saga's endpoint: its queue, its concurrency, and the retry and outbox that make racing events safe.</summary>
public sealed class OrderStateDefinition : SagaDefinition<OrderState>
{
    public OrderStateDefinition() => EndpointName = QueueNames.OrderState;

    protected override void ConfigureSaga(
        IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<OrderState> sagaConfigurator,
        IRegistrationContext context)
    {
        if (context.GetRequiredService<IOptions<OrdersOptions>>().Value.SagaConcurrentMessageLimit is { } limit)
        {
            endpointConfigurator.ConcurrentMessageLimit = limit;
        }

        // Retry before the outbox: an attempt that lost the optimistic-concurrency race is replayed against the
        // winning row, and what it meant to send is discarded with it. The SQLite consumer outbox (the convention in
        // AddOrders) commits the saga row, the inbox row and the outgoing messages together.
        endpointConfigurator.UseSagaConcurrencyRetry(context);
    }
}
