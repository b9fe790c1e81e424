using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Sagas;

/// <summary>
/// One message's view of the saga table, on the consume scope's <see cref="DbContext"/>.
/// <para>
/// Concurrency: instances are read without a lock and written with <c>WHERE Version = @loaded</c> (the
/// version is an EF concurrency token that this class increments on every write). SQLite has one writer and
/// no row locks, so holding a transaction from load to save would serialise every consumer; instead a lost
/// race surfaces as <see cref="SagaConcurrencyException"/> and the endpoint's concurrency retry replays the
/// message against the fresh row (see <see cref="SagaRepositoryRegistration.UseSagaConcurrencyRetry(IReceiveEndpointConfigurator, SagaConcurrencyOptions)"/>).
/// </para>
/// <para>
/// Transactions: every write is one <c>SaveChanges</c>. If the consume scope already opened a transaction on
/// the DbContext (the consumer outbox does), EF enlists in it and the saga row commits with the inbox row and
/// the outgoing messages; otherwise SaveChanges' own transaction makes the single-row write atomic.
/// </para>
/// </summary>
internal sealed class DbContextSagaRepositoryContext<TSaga, TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>, IDisposable
    where TSaga : class, ISagaVersion
    where TMessage : class
{
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly DbContext _db;
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    private readonly ILogger _logger;

    // MassTransit may hand one repository context several instances (query-correlated events); a DbContext
    // is not thread-safe, so writes on it take turns.
    private readonly SemaphoreSlim _inUse = new(1, 1);

    public DbContextSagaRepositoryContext(
        DbContext db,
        ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<DbContext, TSaga> factory,
        ILogger logger)
        : base(consumeContext, db)
    {
        _db = db;
        _consumeContext = consumeContext;
        _factory = factory;
        _logger = logger;
    }

    public void Dispose() => _inUse.Dispose();

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        await _inUse.WaitAsync(CancellationToken);
        try
        {
            instance.Version = 1;
            var entry = _db.Set<TSaga>().Add(instance);
            try
            {
                await _db.SaveChangesAsync(CancellationToken);
            }
            catch (DbUpdateException ex) when (StoreErrors.IsDuplicateKey(ex))
            {
                // Another message created it first: MassTransit then loads the existing row instead.
                entry.State = EntityState.Detached;
                _logger.LogDebug("Saga {SagaType} {CorrelationId} already exists; {MessageType} loads it instead",
                    typeof(TSaga).Name, instance.CorrelationId, typeof(TMessage).Name);
                return null!;
            }
        }
        finally
        {
            _inUse.Release();
        }

        return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        TSaga? instance;
        await _inUse.WaitAsync(CancellationToken);
        try
        {
            instance = await LoadTracked(correlationId);
        }
        finally
        {
            _inUse.Release();
        }

        return instance is null
            ? null!
            : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<TSaga> context) => Write(context, "insert", saga =>
    {
        saga.Version = 1;
        _db.Set<TSaga>().Add(saga);
    });

    public Task Update(SagaConsumeContext<TSaga> context) => Write(context, "update", saga =>
    {
        // Always bumped, even when the event changed nothing else: the decision was taken on this version,
        // so it must still be the current one when the write lands.
        saga.Version++;
    });

    public Task Delete(SagaConsumeContext<TSaga> context) => Write(context, "delete", saga => _db.Set<TSaga>().Remove(saga));

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public async Task Undo(SagaConsumeContext<TSaga> context)
    {
        await _inUse.WaitAsync(CancellationToken);
        try
        {
            // Forget the in-memory changes so a later SaveChanges on this scope (the outbox's) cannot write them.
            Detach(context.Saga.CorrelationId);
        }
        finally
        {
            _inUse.Release();
        }
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> context, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_db, context, instance, mode);

    private async Task<TSaga?> LoadTracked(Guid correlationId)
    {
        // A retry on the same scope must see the row as it is now, not a copy left from the failed attempt.
        Detach(correlationId);
        return await _db.Set<TSaga>().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken);
    }

    private async Task Write(SagaConsumeContext<TSaga> context, string operation, Action<TSaga> change)
    {
        var saga = context.Saga;
        await _inUse.WaitAsync(CancellationToken);
        try
        {
            change(saga);
            await _db.SaveChangesAsync(CancellationToken);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || StoreErrors.IsDuplicateKey(ex) || StoreErrors.IsBusy(ex))
        {
            Detach(saga.CorrelationId);
            _logger.LogInformation(
                "Saga {SagaType} {CorrelationId} {Operation} for {MessageType} {MessageId} lost a concurrent write (version {Version}); the message will be retried",
                typeof(TSaga).Name, saga.CorrelationId, operation, typeof(TMessage).Name, _consumeContext.MessageId, saga.Version);
            throw new SagaConcurrencyException(
                $"Saga {typeof(TSaga).Name} {saga.CorrelationId}: {operation} conflicted with a concurrent write.", ex);
        }
        finally
        {
            _inUse.Release();
        }
    }

    private void Detach(Guid correlationId)
    {
        foreach (var entry in _db.ChangeTracker.Entries<TSaga>().Where(e => e.Entity.CorrelationId == correlationId).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }
}
