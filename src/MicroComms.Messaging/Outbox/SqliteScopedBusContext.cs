using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Outbox;

/// <summary>
/// The bus outbox of one DI scope: sends and publishes become <see cref="OutboxMessage"/> rows of one
/// <see cref="OutboxState"/> owner in the scope's DbContext, so they exist only if its <c>SaveChanges</c> commits.
/// </summary>
public sealed class SqliteScopedBusContext<TDbContext> : ScopedBusContext, OutboxSendContext, IDisposable
    where TDbContext : DbContext
{
    private readonly IBus _bus;
    private readonly TDbContext _db;
    private readonly IBusOutboxNotification _notification;
    private readonly IClientFactory _clientFactory;
    private readonly IServiceProvider _provider;
    private readonly Lock _lock = new();
    private OutboxState? _owner;
    private ISendEndpointProvider? _sendEndpointProvider;
    private IPublishEndpoint? _publishEndpoint;
    private IScopedClientFactory? _scopedClientFactory;

    public SqliteScopedBusContext(IBus bus, TDbContext db, IBusOutboxNotification notification, IClientFactory clientFactory, IServiceProvider provider)
    {
        _bus = bus;
        _db = db;
        _notification = notification;
        _clientFactory = clientFactory;
        _provider = provider;
        db.SavedChanges += OnSavedChanges;
    }

    public ISendEndpointProvider SendEndpointProvider => _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, _bus);

    public IPublishEndpoint PublishEndpoint => _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, _bus));

    public IScopedClientFactory ClientFactory =>
        _scopedClientFactory ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(_clientFactory, _provider)), null);

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        lock (_lock)
        {
            // After a commit the next message starts a new owner, so a later rollback cannot touch committed ones.
            if (_owner is null || _db.Entry(_owner).State != EntityState.Added)
            {
                _owner = new OutboxState { OutboxId = NewId.NextGuid(), Created = DateTime.UtcNow };
                _db.Add(_owner);
            }

            _db.Add(OutboxMessageFactory.Create(context, outboxId: _owner.OutboxId));
        }

        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => _provider.GetService(serviceType);

    public void Dispose() => _db.SavedChanges -= OnSavedChanges;

    private void OnSavedChanges(object? sender, SavedChangesEventArgs e)
    {
        if (_owner is not null && _db.Entry(_owner).State == EntityState.Unchanged)
        {
            _notification.Delivered();
        }
    }
}
