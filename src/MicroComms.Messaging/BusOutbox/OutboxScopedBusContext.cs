using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Messaging.BusOutbox;

/// <summary>
/// The bus outbox of one DI scope: sends and publishes become <see cref="OutboxMessage"/> rows of one
/// <see cref="OutboxState"/> owner in the scope's DbContext, so they exist only if its <c>SaveChanges</c> commits.
/// </summary>
internal sealed class OutboxScopedBusContext<TDbContext> : ScopedBusContext, OutboxSendContext, IDisposable
    where TDbContext : DbContext
{
    private readonly IBus _bus;
    private readonly TDbContext _db;
    private readonly IBusOutboxNotification _notification;
    private readonly IClientFactory _clientFactory;
    private readonly IServiceProvider _provider;
    private readonly OutboxHandOff<TDbContext>? _handOff;
    private readonly Lock _lock = new();
    private readonly List<OutboxMessage> _messages = [];
    private OutboxState? _owner;
    private ISendEndpointProvider? _sendEndpointProvider;
    private IPublishEndpoint? _publishEndpoint;
    private IScopedClientFactory? _scopedClientFactory;

    public OutboxScopedBusContext(IBus bus, TDbContext db, IBusOutboxNotification notification, IClientFactory clientFactory, IServiceProvider provider)
    {
        _bus = bus;
        _db = db;
        _notification = notification;
        _clientFactory = clientFactory;
        _provider = provider;
        _handOff = provider.GetService<OutboxHandOff<TDbContext>>();
        db.SavingChanges += OnSavingChanges;
        db.SavedChanges += OnSavedChanges;
        db.SaveChangesFailed += OnSaveChangesFailed;
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
                // Time-ordered also as stored (text): a new owner's rows go to the end of the OutboxState key and of
                // OutboxMessage's owner index, not to random pages (NewId.NextGuid sorts only as SQL Server compares).
                // It shows once the tables hold a backlog (a broker outage): saves get slower as random pages pile up.
                _owner = new OutboxState { OutboxId = NewId.NextSequentialGuid(), Created = DateTime.UtcNow };
                _db.Add(_owner);
                _messages.Clear();
            }

            var message = OutboxMessageFactory.Create(context, outboxId: _owner.OutboxId);
            _db.Add(message);
            _messages.Add(message);
        }

        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => _provider.GetService(serviceType);

    public void Dispose()
    {
        _db.SavingChanges -= OnSavingChanges;
        _db.SavedChanges -= OnSavedChanges;
        _db.SaveChangesFailed -= OnSaveChangesFailed;
    }

    /// <summary>A save that commits by itself can hand its owner to the delivery service; one inside a caller's transaction cannot.</summary>
    private void OnSavingChanges(object? sender, SavingChangesEventArgs e)
    {
        lock (_lock)
        {
            if (_handOff is not null && _owner is not null && _db.Database.CurrentTransaction is null && _db.Entry(_owner).State == EntityState.Added)
            {
                _handOff.Lease(_owner);
            }
        }
    }

    /// <summary>A failed save leaves the owner unsaved; a retry inside a transaction must not find it leased to the hand-off.</summary>
    private void OnSaveChangesFailed(object? sender, SaveChangesFailedEventArgs e)
    {
        lock (_lock)
        {
            if (_handOff is not null && _owner is not null && _db.Entry(_owner).State == EntityState.Added)
            {
                _handOff.Unlease(_owner);
            }
        }
    }

    private void OnSavedChanges(object? sender, SavedChangesEventArgs e)
    {
        lock (_lock)
        {
            if (_owner is null || _messages.Count == 0 || _db.Entry(_owner).State != EntityState.Unchanged)
            {
                return;
            }

            // Inside a transaction the rows are not committed yet: the delivery service claims them once they are.
            if (_db.Database.CurrentTransaction is null)
            {
                _handOff?.Committed(_owner, [.. _messages]);
            }

            _messages.Clear();
        }

        _notification.Delivered();
    }
}
