using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// Replaces MassTransit's scoped bus context: inside a consumer, sends and publishes follow the consume context (and so
/// the consumer outbox); anywhere else they go to the bus outbox of the scope's DbContext.
/// </summary>
internal sealed class OutboxScopedBusContextProvider<TDbContext> : IScopedBusContextProvider<IBus>, IDisposable
    where TDbContext : DbContext
{
    public OutboxScopedBusContextProvider(
        IBus bus,
        TDbContext db,
        IBusOutboxNotification notification,
        IClientFactory clientFactory,
        IScopedConsumeContextProvider consumeContextProvider,
        IServiceProvider provider)
    {
        Context = consumeContextProvider.HasContext
            ? new ConsumeContextScopedBusContext(consumeContextProvider.GetContext(), clientFactory)
            : new OutboxScopedBusContext<TDbContext>(bus, db, notification, clientFactory, provider);
    }

    public ScopedBusContext Context { get; }

    public void Dispose() => (Context as IDisposable)?.Dispose();
}
