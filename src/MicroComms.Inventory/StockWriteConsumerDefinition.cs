using MassTransit;
using Microsoft.Extensions.Options;

namespace MicroComms.Inventory;

/// <summary>Endpoint policy of the stock-changing consumers: a fixed queue and a bounded number of writers.</summary>
public abstract class StockWriteConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected StockWriteConsumerDefinition(string queueName, IOptions<InventoryOptions> options)
    {
        EndpointName = queueName;
        ConcurrentMessageLimit = options.Value.StockWriteConcurrency;
    }
}
