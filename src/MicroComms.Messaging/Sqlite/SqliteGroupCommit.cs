using System.Data;
using System.Data.Common;
using System.Threading.Channels;
using MicroComms.Messaging.Stores;
using MicroComms.Messaging.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Sqlite;

/// <summary>
/// Group commit for the outbox's DbContext: the writes of many scopes that arrive while a commit is running (API calls'
/// <c>SaveChangesAsync</c> with the bus outbox, consumers' single commits and delivered marks, the delivery service's leases and deletes)
/// are written together in the next transaction, each in a savepoint of its own. SQLite has one writer at a time; with
/// a transaction per write the outbox stayed near 1,700 saves/s here, the lock passing from connection to connection
/// through SQLite's sleeping busy handler, and the delivery service waited behind the API calls' commits.
/// </summary>
/// <remarks>
/// A write keeps its meaning: its changes are committed, and accepted, all or none; a write that fails (a constraint,
/// a concurrency conflict) is rolled back to its savepoint and its exception reaches that caller only, while the
/// others commit. A commit that fails fails every write in it. Saves already inside a transaction, on a connection the
/// caller opened or supplied, and synchronous saves run as EF runs them. On PostgreSQL, which takes many writers at
/// once, saves run as EF runs them; only writes nobody waits for (<see cref="EnqueueAsync"/>: delivered marks) are
/// still collected here, so the marks of many messages are one statement pair.
/// </remarks>
internal sealed class SqliteGroupCommit<TDbContext> : SaveChangesInterceptor, ISqliteGroupCommit, IAsyncDisposable
    where TDbContext : DbContext
{
    private const string Savepoint = "microcomms_write";

    private static readonly string Service = MicroCommsMetrics.ServiceOf(typeof(TDbContext));

    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new() { SingleReader = true });
    private readonly IServiceScopeFactory _scopes;
    private readonly MicroCommsOutboxOptions _options;
    private readonly Task _writer;
    private readonly MicroCommsMetrics _metrics;

    public SqliteGroupCommit(IServiceScopeFactory scopes, IOptionsMonitor<MicroCommsOutboxOptions> options, MicroCommsMetrics metrics)
    {
        _scopes = scopes;
        _metrics = metrics;
        _options = options.Get(MicroCommsOutboxRegistration.OptionsName<TDbContext>());

        // Created by whichever caller saves first: without this the writer would run under that caller's span for the
        // life of the process, and every later commit's statements would show in the first caller's trace.
        using (ExecutionContext.SuppressFlow())
        {
            _writer = Task.Run(WriteAsync);
        }
    }

    public bool CanJoin(DbContext context)
    {
        var database = context.Database;
        return database.IsSqlite()
            && database.CurrentTransaction is null
            && RelationalOptionsExtension.Extract(context.GetService<IDbContextOptions>()).Connection is null
            && database.GetConnectionString() is not null
            && database.GetDbConnection().State == ConnectionState.Closed;
    }

    /// <summary>Runs <paramref name="work"/> on <paramref name="context"/> in the next shared transaction (see <see cref="CanJoin"/>).</summary>
    public Task<T> RunAsync<T>(DbContext context, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken, Action? committed = null)
    {
        var write = new PendingWrite<T>(context, (_, ct) => work(ct), committed, cancellationToken);
        Queue(write);
        return write.Completion.Task;
    }

    /// <summary>
    /// Queues <paramref name="work"/> for the next shared transaction, run on the writer's own DbContext in a savepoint
    /// of its own: for a write whose caller does not wait for it, when the caller's scope may be gone by then.
    /// </summary>
    public Task EnqueueAsync(Func<TDbContext, CancellationToken, Task> work)
    {
        var write = new PendingWrite<bool>(null, async (db, ct) =>
        {
            await work((TDbContext)db, ct);
            return true;
        }, null, CancellationToken.None);
        Queue(write);
        return write.Completion.Task;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (result.HasResult || eventData.Context is not { } context || !CanJoin(context))
        {
            return result;
        }

        var saved = await RunAsync(
            context,
            ct => context.SaveChangesAsync(acceptAllChangesOnSuccess: false, ct),
            cancellationToken,
            committed: context.ChangeTracker.AcceptAllChanges);
        return InterceptionResult<int>.SuppressWithResult(saved);
    }

    public async ValueTask DisposeAsync()
    {
        // What was queued before the stop is still committed.
        _queue.Writer.TryComplete();
        await _writer;
    }

    private void Queue(PendingWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(GetType().Name, "The service is stopping: no more writes are taken.");
        }
    }

    private async Task WriteAsync()
    {
        var batch = new List<PendingWrite>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _options.MaxSavesPerCommit && _queue.Reader.TryRead(out var write))
            {
                if (write.CancellationToken.IsCancellationRequested)
                {
                    write.Fail(new OperationCanceledException(write.CancellationToken));
                    continue;
                }

                batch.Add(write);
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch);
                batch.Clear();
            }
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var writer = scope.ServiceProvider.GetRequiredService<TDbContext>();
            await using var transaction = await BeginAsync(writer);
            var connection = writer.Database.GetDbConnection();
            var shared = transaction.GetDbTransaction();
            foreach (var write in batch)
            {
                await RunInSharedTransactionAsync(write, writer, connection, shared);
            }

            await transaction.CommitAsync();
            if (writer.Database.IsSqlite())
            {
                _metrics.GroupCommit(Service, batch.Count);
            }
        }
        catch (Exception ex)
        {
            foreach (var write in batch)
            {
                write.Failure ??= ex;
            }
        }

        foreach (var write in batch)
        {
            if (write.Failure is { } failure)
            {
                write.Fail(failure);
            }
            else
            {
                write.Complete();
            }
        }
    }

    /// <summary>BEGIN IMMEDIATE waits busy_timeout for the lock; past that (another process writing), try again.</summary>
    private async Task<IDbContextTransaction> BeginAsync(TDbContext writer)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await writer.Database.BeginTransactionAsync();
            }
            catch (Exception ex) when (attempt < _options.BusyRetryLimit && StoreErrors.IsBusy(ex))
            {
                await StoreWrite.BackOffAsync(attempt, CancellationToken.None);
            }
        }
    }

    private static async Task RunInSharedTransactionAsync(PendingWrite write, TDbContext writer, DbConnection connection, DbTransaction shared)
    {
        if (write.Context is null)
        {
            try
            {
                await RunInSavepointAsync(writer.Database.CurrentTransaction!, () => write.RunAsync(writer), write.CancellationToken);
            }
            catch (Exception ex)
            {
                write.Failure = ex;
            }
            finally
            {
                writer.ChangeTracker.Clear();
            }

            return;
        }

        var database = write.Context.Database;
        var connectionString = database.GetConnectionString();
        var autoSavepoints = database.AutoSavepointsEnabled;
        try
        {
            database.SetDbConnection(connection, contextOwnsConnection: false);
            var transaction = await database.UseTransactionAsync(shared, write.CancellationToken);
            database.AutoSavepointsEnabled = false;
            await RunInSavepointAsync(transaction!, () => write.RunAsync(write.Context), write.CancellationToken);
        }
        catch (Exception ex)
        {
            write.Failure = ex;
        }
        finally
        {
            // Back to a connection of its own, opened on demand as before.
            database.AutoSavepointsEnabled = autoSavepoints;
            await database.UseTransactionAsync(null);
            database.SetDbConnection(null, contextOwnsConnection: true);
            database.SetConnectionString(connectionString);
        }
    }

    /// <summary>A failing write is rolled back to its savepoint, so the others in the transaction still commit.</summary>
    private static async Task RunInSavepointAsync(IDbContextTransaction transaction, Func<Task> work, CancellationToken cancellationToken)
    {
        await transaction.CreateSavepointAsync(Savepoint, cancellationToken);
        try
        {
            await work();
            await transaction.ReleaseSavepointAsync(Savepoint, CancellationToken.None);
        }
        catch
        {
            await transaction.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
            throw;
        }
    }

    private abstract class PendingWrite(DbContext? context, CancellationToken cancellationToken)
    {
        /// <summary>The caller's DbContext, or null for a write run on the writer's own (<see cref="EnqueueAsync"/>).</summary>
        public DbContext? Context { get; } = context;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public Exception? Failure { get; set; }

        public abstract Task RunAsync(DbContext context);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(DbContext? context, Func<DbContext, CancellationToken, Task<T>> work, Action? committed, CancellationToken cancellationToken)
        : PendingWrite(context, cancellationToken)
    {
        private T _result = default!;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task RunAsync(DbContext context) => _result = await work(context, CancellationToken);

        public override void Complete()
        {
            try
            {
                committed?.Invoke();
            }
            catch (Exception ex)
            {
                // Never out of the writer's loop: every later save would wait on it forever.
                Completion.TrySetException(ex);
                return;
            }

            Completion.TrySetResult(_result);
        }

        public override void Fail(Exception exception)
        {
            if (exception is OperationCanceledException && CancellationToken.IsCancellationRequested)
            {
                Completion.TrySetCanceled(CancellationToken);
            }
            else
            {
                Completion.TrySetException(exception);
            }
        }
    }
}
