using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MicroComms.Messaging;

/// <summary>
/// Puts every <c>SaveChanges</c> that opens its own transaction in the <see cref="SqliteWriteGate"/> queue. A
/// SaveChanges inside an explicit transaction is left alone: whoever began that transaction already holds the lock
/// (the outbox's writes take their turn in <c>SqliteWrite</c>). A save another interceptor suppressed writes nothing
/// and takes no turn.
/// </summary>
internal sealed class SqliteWriteGateInterceptor : SaveChangesInterceptor
{
    public static readonly SqliteWriteGateInterceptor Instance = new();

    private static readonly ConditionalWeakTable<DbContext, SqliteWriteGate.Turn> Turns = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (GateFor(eventData, result) is { } gate && gate.Enter() is { } turn)
        {
            Turns.AddOrUpdate(eventData.Context!, turn);
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (GateFor(eventData, result) is { } gate && await gate.EnterAsync(cancellationToken) is { } turn)
        {
            Turns.AddOrUpdate(eventData.Context!, turn);
        }

        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Leave(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Leave(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Leave(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context);
        return Task.CompletedTask;
    }

    private static SqliteWriteGate? GateFor(DbContextEventData eventData, InterceptionResult<int> result) =>
        result.HasResult || eventData.Context is not { } context || context.Database.CurrentTransaction is not null
            ? null
            : SqliteWriteGate.For(context);

    private static void Leave(DbContext? context)
    {
        if (context is not null && Turns.TryGetValue(context, out var turn))
        {
            Turns.Remove(context);
            turn.Dispose();
        }
    }
}
