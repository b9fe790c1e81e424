using System.Data.Common;
using MassTransit;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Sqlite;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Outbox;

/// <summary>
/// The outbox's DbContext saves through <see cref="SqliteGroupCommit{TDbContext}"/>: saves that queue behind a running
/// commit share the next transaction, each in its own savepoint. The delivery service is off here, so the only writes
/// are the specs' own.
/// </summary>
public sealed class GroupCommit_Specs : IDisposable
{
    private readonly string _database = OutboxTestHost.NewDatabasePath();
    private readonly Recorder _recorder = new();
    private readonly CommitCounter _commits = new();
    private readonly CommandLog _commands = new();

    [Fact]
    public async Task Saves_that_queue_behind_a_running_commit_are_written_in_one_transaction()
    {
        await using var host = await StartAsync();
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();

        await using (var writer = await WriterHold.StartAsync(host))
        {
            var saves = await writer.QueueSavesAsync(ids.Select(id => WidgetWithEvent(id)).ToList());
            _commits.Reset();
            writer.Release();
            await Task.WhenAll(saves);
        }

        // The held write's own commit, then one for all twenty (a commit per save would make it 21).
        Assert.Equal(2, _commits.Count);
        Assert.Equal(ids.Count, await host.Query(db => db.Widgets.CountAsync()));
        Assert.Equal(ids.Count, await host.PendingOutboxMessages());
    }

    [Fact]
    public async Task A_save_that_fails_in_a_shared_commit_fails_alone_and_the_others_commit()
    {
        await using var host = await StartAsync();
        var taken = Guid.NewGuid();
        await host.AddWidget(taken, "first");
        var good = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();

        List<Task> saves;
        await using (var writer = await WriterHold.StartAsync(host))
        {
            // The failing save writes its event and a new widget before the widget whose id is taken.
            var failing = WidgetWithEvent(Guid.Empty, extra: db => db.Widgets.Add(new Widget { Id = taken, Name = "again" }));
            saves = await writer.QueueSavesAsync([.. good.Take(2).Select(id => WidgetWithEvent(id)), failing, .. good.Skip(2).Select(id => WidgetWithEvent(id))]);
            writer.Release();
            await Task.WhenAll(saves.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        }

        var failure = await Assert.ThrowsAsync<DbUpdateException>(() => saves[2]);
        Assert.Contains("UNIQUE", failure.GetBaseException().Message);
        Assert.All(saves.Where((_, i) => i != 2), s => Assert.True(s.IsCompletedSuccessfully));
        Assert.Equal(good.Count, await host.PendingOutboxMessages());
        Assert.Equal(good.Count + 1, await host.Query(db => db.Widgets.CountAsync()));
        Assert.Equal("first", await host.Query(db => db.Widgets.Where(w => w.Id == taken).Select(w => w.Name).SingleAsync()));
    }

    [Fact]
    public async Task A_context_reads_and_saves_again_on_its_own_connection_after_a_grouped_save()
    {
        await using var host = await StartAsync();
        var id = Guid.NewGuid();

        await host.InScope(async (_, db) =>
        {
            var widget = new Widget { Id = id, Name = "one" };
            db.Widgets.Add(widget);
            Assert.Equal(1, await db.SaveChangesAsync());
            Assert.Equal(EntityState.Unchanged, db.Entry(widget).State);

            widget.Name = "two";
            Assert.Equal(1, await db.SaveChangesAsync());
            Assert.Equal("two", await db.Widgets.AsNoTracking().Where(w => w.Id == id).Select(w => w.Name).SingleAsync());
            Assert.Equal(System.Data.ConnectionState.Closed, db.Database.GetDbConnection().State);
        });
    }

    [Fact]
    public async Task Delivered_marks_queued_while_the_writer_is_busy_are_written_later_as_one_statement()
    {
        await using var host = await StartAsync();
        var now = DateTime.UtcNow;
        var consumed = Enumerable.Range(0, 3)
            .Select(_ => new InboxState { MessageId = Guid.NewGuid(), ConsumerId = Guid.NewGuid(), Received = now, Consumed = now, ReceiveCount = 1, LockedUntil = now.AddMinutes(1) })
            .ToList();
        await host.InScope(async (_, db) =>
        {
            foreach (var inbox in consumed)
            {
                db.Add(inbox);
                db.Add(new OutboxMessage
                {
                    MessageId = Guid.NewGuid(),
                    InboxMessageId = inbox.MessageId,
                    InboxConsumerId = inbox.ConsumerId,
                    MessageType = "urn:message:Test:Sent",
                    Body = "{}",
                    ContentType = "application/json",
                    SentTime = now,
                });
            }

            await db.SaveChangesAsync();
        });
        var marks = host.Services.GetRequiredService<InboxDeliveredMarks<OutboxTestDbContext>>();

        await using (var writer = await WriterHold.StartAsync(host))
        {
            // The consumers' side returns at once: nothing is written while the writer is held.
            consumed.ForEach(marks.Add);
            Assert.Equal(3, await host.Query(db => db.Set<InboxState>().CountAsync(x => x.Delivered == null)));
            writer.Release();
        }

        await host.OutboxWritesDone();
        Assert.Equal(3, await host.Query(db => db.Set<InboxState>().CountAsync(x => x.Delivered != null && x.LockedUntil == null)));
        Assert.Equal(0, await host.Query(db => db.Set<OutboxMessage>().CountAsync()));
        Assert.Single(_commands.Texts, t => t.Contains("UPDATE \"InboxState\" SET \"Delivered\""));
    }

    public void Dispose() => OutboxTestHost.DeleteDatabase(_database);

    private Task<OutboxTestHost> StartAsync() =>
        OutboxTestHost.StartAsync(
            TestDatabase.SqliteFile(_database),
            _recorder,
            o => o.UseBusOutbox(deliveryService: false),
            services: s => s.ConfigureDbContext<OutboxTestDbContext>(o => o.AddInterceptors(_commits, _commands), ServiceLifetime.Singleton));

    private static Func<IServiceProvider, OutboxTestDbContext, Task<Task>> WidgetWithEvent(Guid id, Action<OutboxTestDbContext>? extra = null) =>
        async (sp, db) =>
        {
            var widgetId = id == Guid.Empty ? Guid.NewGuid() : id;
            await sp.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(widgetId, "grouped"));
            db.Widgets.Add(new Widget { Id = widgetId, Name = "grouped" });
            extra?.Invoke(db);

            // SaveChangesAsync has queued the save by the time it returns its task: the group commit takes it synchronously.
            return db.SaveChangesAsync();
        };

    /// <summary>Holds the group commit's writer inside a write of its own, so that saves queue up behind it.</summary>
    private sealed class WriterHold : IAsyncDisposable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly OutboxTestHost _host;
        private readonly AsyncServiceScope _scope;
        private readonly List<AsyncServiceScope> _saveScopes = [];
        private Task _held = Task.CompletedTask;

        private WriterHold(OutboxTestHost host)
        {
            _host = host;
            _scope = host.Services.CreateAsyncScope();
        }

        public static async Task<WriterHold> StartAsync(OutboxTestHost host)
        {
            var hold = new WriterHold(host);
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var group = host.Services.GetRequiredService<SqliteGroupCommit<OutboxTestDbContext>>();
            hold._held = group.RunAsync(hold._scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>(), async _ =>
            {
                entered.SetResult();
                await hold._release.Task;
                return 0;
            }, CancellationToken.None);
            await entered.Task;
            return hold;
        }

        /// <summary>Each save in a scope of its own, as API calls; returns once every one is queued.</summary>
        public async Task<List<Task>> QueueSavesAsync(IReadOnlyList<Func<IServiceProvider, OutboxTestDbContext, Task<Task>>> saves)
        {
            var queued = new List<Task>();
            foreach (var save in saves)
            {
                var scope = _host.Services.CreateAsyncScope();
                _saveScopes.Add(scope);
                queued.Add(await save(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>()));
            }

            Assert.All(queued, q => Assert.False(q.IsCompleted, "a save completed while the writer was held"));
            return queued;
        }

        public void Release() => _release.TrySetResult();

        public async ValueTask DisposeAsync()
        {
            Release();
            await _held;
            foreach (var scope in _saveScopes)
            {
                await scope.DisposeAsync();
            }

            await _scope.DisposeAsync();
        }
    }

    private sealed class CommandLog : DbCommandInterceptor
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _texts = new();

        public IEnumerable<string> Texts => _texts;

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            _texts.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    private sealed class CommitCounter : DbTransactionInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
