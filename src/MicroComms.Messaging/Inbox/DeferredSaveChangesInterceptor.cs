using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace MicroComms.Messaging.Inbox;

/// <summary>
/// While a consumer runs under the outbox, its <c>SaveChanges</c> only records intent: the changes stay tracked and
/// are written, with the inbox row and the outgoing messages, in one short transaction after the consumer returns.
/// This is what keeps SQLite's single write lock from being held while the consumer awaits anything else.
/// </summary>
internal sealed class DeferredSaveChangesInterceptor : SaveChangesInterceptor
{
    public static readonly DeferredSaveChangesInterceptor Instance = new();

    private static readonly ConditionalWeakTable<DbContext, object> Deferred = new();

    public static void Defer(DbContext context) => Deferred.AddOrUpdate(context, Instance);

    public static void Release(DbContext context) => Deferred.Remove(context);

    public static bool IsInstalled(DbContext context) =>
        context.GetService<IDbContextOptions>()
            .Extensions.OfType<CoreOptionsExtension>()
            .Any(e => e.Interceptors?.Contains(Instance) == true);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        Intercept(eventData, result);

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Intercept(eventData, result));

    private static InterceptionResult<int> Intercept(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is not { } context || !Deferred.TryGetValue(context, out _))
        {
            return result;
        }

        context.ChangeTracker.DetectChanges();
        var pending = context.ChangeTracker.Entries().Count(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);
        return InterceptionResult<int>.SuppressWithResult(pending);
    }
}
