using System.Data.Common;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MicroComms.IntegrationTests.Outbox;

/// <summary>
/// Holds a consumer right after the commit that wrote a given widget (before anything is sent) and runs an action
/// there, e.g. stopping the broker: the moment between "committed" and "delivered" that the outbox exists for.
/// Sees both kinds of commit: the outbox's explicit transaction, and a plain SaveChanges (what a consumer without
/// the outbox does; EF writes a single statement without a transaction).
/// </summary>
internal sealed class CommitGate : DbTransactionInterceptor, ISaveChangesInterceptor
{
    private readonly TaskCompletionSource _passed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Guid _widget;
    private Func<Task>? _action;

    /// <summary>Completes once the action ran after the commit that wrote the widget.</summary>
    public Task Passed => _passed.Task;

    public void Arm(Guid widget, Func<Task> action)
    {
        _widget = widget;
        Volatile.Write(ref _action, action);
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        // The outbox commits with acceptAllChangesOnSuccess: false, so the widget is still tracked as written.
        PassIf(eventData.Context, e => e.State is EntityState.Added or EntityState.Modified);

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Outside a transaction and accepted: really written (a save the outbox deferred leaves the widget as written, uncommitted).
        if (eventData.Context is { Database.CurrentTransaction: null })
        {
            await PassIf(eventData.Context, e => e.State == EntityState.Unchanged);
        }

        return result;
    }

    private async Task PassIf(DbContext? context, Func<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Widget>, bool> written)
    {
        if (Volatile.Read(ref _action) is not null
            && context is OutboxTestDbContext db
            && db.ChangeTracker.Entries<Widget>().Any(e => e.Entity.Id == _widget && written(e))
            && Interlocked.Exchange(ref _action, null) is { } action)
        {
            try
            {
                await action();
                _passed.TrySetResult();
            }
            catch (Exception ex)
            {
                _passed.TrySetException(ex);
            }
        }
    }
}
