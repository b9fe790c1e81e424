using System.Data.Common;
using MicroComms.Tests.Outbox.Support;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MicroComms.IntegrationTests.Outbox;

/// <summary>
/// Holds a consumer right after the commit that wrote a given widget (before anything is sent) and runs an action
/// there, e.g. stopping the broker: the moment between "committed" and "delivered" that the outbox exists for.
/// </summary>
internal sealed class CommitGate : DbTransactionInterceptor
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

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // The entries are still tracked as written until the context accepts its changes after the commit.
        if (Volatile.Read(ref _action) is not null
            && eventData.Context is OutboxTestDbContext db
            && db.ChangeTracker.Entries<Widget>().Any(e => e.Entity.Id == _widget)
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
