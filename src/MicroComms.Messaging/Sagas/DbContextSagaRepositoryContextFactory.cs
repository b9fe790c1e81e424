using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Sagas;

/// <summary>
/// MassTransit's entry into the saga table of <typeparamref name="TDbContext"/>. Registered scoped, so it is
/// resolved from the consume scope and works on that scope's DbContext (the same instance the consumer outbox
/// uses). It never opens a transaction of its own: see <see cref="DbContextSagaRepositoryContext{TSaga,TMessage}"/>.
/// </summary>
internal sealed class DbContextSagaRepositoryContextFactory<TDbContext, TSaga> :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISagaVersion
{
    private readonly TDbContext _db;
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _consumeContextFactory;
    private readonly ILogger _logger;

    public DbContextSagaRepositoryContextFactory(
        TDbContext db,
        ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory,
        ILogger<DbContextSagaRepositoryContextFactory<TDbContext, TSaga>> logger)
    {
        _db = db;
        _consumeContextFactory = consumeContextFactory;
        _logger = logger;
    }

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        using var repositoryContext = new DbContextSagaRepositoryContext<TSaga, T>(_db, context, _consumeContextFactory, _logger);
        await next.Send(repositoryContext);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        // Only the ids are read here; each matching instance is then loaded (tracked) and written with its
        // own version check, exactly as an event correlated by id would be.
        var ids = await _db.Set<TSaga>()
            .AsNoTracking()
            .Where(query.FilterExpression)
            .Select(x => x.CorrelationId)
            .ToListAsync(context.CancellationToken);

        using var repositoryContext = new DbContextSagaRepositoryContext<TSaga, T>(_db, context, _consumeContextFactory, _logger);
        await next.Send(new DefaultSagaRepositoryQueryContext<TSaga, T>(repositoryContext, ids));
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new DbContextSagaReadContext<TSaga>(_db, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new DbContextSagaReadContext<TSaga>(_db, cancellationToken));

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "sqlite-efcore");
        context.Add("dbContext", typeof(TDbContext).Name);
        context.Add("concurrency", "optimistic (version column)");
    }
}
