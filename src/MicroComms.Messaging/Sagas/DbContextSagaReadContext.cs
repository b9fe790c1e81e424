using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Sagas;

/// <summary>Read-only access outside a message (status queries, test harnesses): untracked, no writes.</summary>
internal sealed class DbContextSagaReadContext<TSaga> : BasePipeContext, LoadSagaRepositoryContext<TSaga>, QuerySagaRepositoryContext<TSaga>
    where TSaga : class, ISagaVersion
{
    private readonly DbContext _db;

    public DbContextSagaReadContext(DbContext db, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _db = db;
    }

    public async Task<TSaga> Load(Guid correlationId) =>
        (await _db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var ids = await _db.Set<TSaga>()
            .AsNoTracking()
            .Where(query.FilterExpression)
            .Select(x => x.CorrelationId)
            .ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
