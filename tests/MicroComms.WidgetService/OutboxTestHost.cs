using MassTransit;
using MicroComms.Messaging;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Sqlite;
using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MicroComms.WidgetService;

/// <summary>
/// One "service" for the outbox tests, composed exactly as a real one: AddMicroCommsDbContext + AddMicroComms with
/// x.AddMicroCommsOutbox, on the database's store; the transport is the in-memory one unless settings name RabbitMQ.
/// </summary>
public sealed class OutboxTestHost : IAsyncDisposable
{
    public const string CreateWidgetQueue = "create-widget";
    public const string RecordingQueue = "recording";

    private OutboxTestHost(IHost host, BusCounters counters)
    {
        Host = host;
        Counters = counters;
    }

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public BusCounters Counters { get; }

    /// <summary>A fresh SQLite file for one test (deleted with its WAL files by <see cref="DeleteDatabase"/>).</summary>
    public static string NewDatabasePath() => TestFiles.Path($"outbox-{Guid.NewGuid():N}.db");

    public static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    public static async Task<OutboxTestHost> StartAsync(
        TestDatabase database,
        Recorder recorder,
        Action<MicroCommsOutboxOptions>? outbox = null,
        IDictionary<string, string?>? settings = null,
        int createWidgetConcurrency = 1,
        int recordingConcurrency = 1,
        Action<IServiceCollection>? services = null)
    {
        var host = Build(database, recorder, outbox, settings, createWidgetConcurrency, recordingConcurrency, services);
        var counters = new BusCounters();
        var bus = host.Services.GetRequiredService<IBus>();
        bus.ConnectReceiveObserver(counters);
        bus.ConnectConsumeObserver(counters);
        await host.StartAsync();
        return new OutboxTestHost(host, counters);
    }

    /// <summary>The host, not started; a null concurrency leaves that endpoint's limit to the defaults.</summary>
    public static IHost Build(
        TestDatabase database,
        Recorder recorder,
        Action<MicroCommsOutboxOptions>? outbox = null,
        IDictionary<string, string?>? settings = null,
        int? createWidgetConcurrency = 1,
        int? recordingConcurrency = 1,
        Action<IServiceCollection>? services = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // PostgreSQL has no default database for the scheduler: it shares the service's, as it may in production.
        builder.Configuration.AddInMemoryCollection(database.Store == StoreKind.Postgres
            ? database.Settings("OutboxTest", SchedulerOptions.ConnectionStringName)
            : database.Settings("OutboxTest"));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroComms:Retry:ImmediateLimit"] = "0",

            // The outage specs restart the broker under this host; a bus left stuck by that may cost a test 15 s, not 35.
            ["MicroComms:StopTimeout"] = "00:00:10",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton(recorder);
        services?.Invoke(builder.Services);

        // A publish before the receive endpoints are bound would be dropped by the broker: start only when ready.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        builder.Services.AddMicroCommsDbContext<OutboxTestDbContext>(builder.Configuration, "OutboxTest");
        builder.Services.AddMicroComms(builder.Configuration, x =>
        {
            // The receiving side stands for another service: it gets no outbox, which also exercises the filter.
            x.AddMicroCommsOutbox<OutboxTestDbContext>(t => t != typeof(RecordingConsumer), o =>
            {
                o.UseBusOutbox();
                o.QueryDelay = TimeSpan.FromMilliseconds(200);
                o.MinBackoff = TimeSpan.FromMilliseconds(50);
                o.MaxBackoff = TimeSpan.FromMilliseconds(500);
                outbox?.Invoke(o);
            });

            x.AddConsumer<CreateWidgetConsumer>().Endpoint(e =>
            {
                e.Name = CreateWidgetQueue;
                if (createWidgetConcurrency is { } limit)
                {
                    e.ConcurrentMessageLimit = limit;
                }
            });
            x.AddConsumer<GetWidgetConsumer>();
            x.AddConsumer<RecordingConsumer>().Endpoint(e =>
            {
                e.Name = RecordingQueue;
                if (recordingConcurrency is { } limit)
                {
                    e.ConcurrentMessageLimit = limit;
                }
            });
            x.AddRequestClient<GetWidget>();
        });

        return builder.Build();
    }

    /// <summary>Runs <paramref name="work"/> in a fresh DI scope, as an API call would.</summary>
    public async Task InScope(Func<IServiceProvider, OutboxTestDbContext, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>());
    }

    /// <summary>Stores a widget in a scope of its own, as earlier work of the service would have.</summary>
    public Task AddWidget(Guid id, string name) => InScope(async (_, db) =>
    {
        db.Widgets.Add(new Widget { Id = id, Name = name });
        await db.SaveChangesAsync();
    });

    /// <summary>An API call with the bus outbox: one scope stores a widget and publishes WidgetCreated; one save commits both.</summary>
    public Task CreateWidget(Guid id, string name) => InScope(async (sp, db) =>
    {
        db.Widgets.Add(new Widget { Id = id, Name = name });
        await sp.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(id, name));
        await db.SaveChangesAsync();
    });

    public async Task<T> Query<T>(Func<OutboxTestDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>());
    }

    /// <summary>Completes once every outbox write queued so far is committed (delivered marks are not waited for by the consumer).</summary>
    public Task OutboxWritesDone() =>
        Services.GetRequiredService<SqliteGroupCommit<OutboxTestDbContext>>().EnqueueAsync((_, _) => Task.CompletedTask);

    public Task<int> PendingOutboxMessages() => Query(db => db.Set<OutboxMessage>().CountAsync(m => m.SetAside == null));

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StopAsync(stop.Token);
        Host.Dispose();
    }
}
