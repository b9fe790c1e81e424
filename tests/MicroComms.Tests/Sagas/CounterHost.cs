using MassTransit;
using MassTransit.Testing;
using MicroComms.Messaging.Sagas;
using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Tests.Sagas;

/// <summary>
/// One "service process": the in-memory harness with the counter saga on the store's repository, over a
/// database that outlives the host (so a second host can pick the sagas up).
/// </summary>
public sealed class CounterHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private CounterHost(ServiceProvider provider, LogCapture conflicts)
    {
        _provider = provider;
        Conflicts = conflicts;
        Harness = provider.GetRequiredService<ITestHarness>();
    }

    public ITestHarness Harness { get; }

    /// <summary>The repository's "lost a concurrent write" entries, to show a spec really raced.</summary>
    public LogCapture Conflicts { get; }

    public static async Task<CounterHost> Start(TestDatabase database)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(database.Settings("Counters")).Build();

        var conflicts = new LogCapture(LogLevel.Information, (message, _) => message.Contains("lost a concurrent write", StringComparison.Ordinal));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddProvider(conflicts));
        services.AddMicroCommsDbContext<CounterDbContext>(configuration, "Counters");
        services.AddMassTransitTestHarness(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            x.AddSagaStateMachine<CounterStateMachine, CounterState, CounterStateDefinition>()
                .DbContextRepository<CounterDbContext>();
        });

        var provider = services.BuildServiceProvider(validateScopes: true);

        // MassTransit keeps its log context in a static; a second host in the same process must replace the
        // first one's (disposed) logger factory.
        LogContext.ConfigureCurrentLogContext(provider.GetRequiredService<ILoggerFactory>());
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CounterDbContext>();
            // The harness starts no hosted services, so not the store's initializer either: its work, done here.
            await db.Database.EnsureCreatedAsync();
            if (db.Database.IsSqlite())
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
            }
        }

        var host = new CounterHost(provider, conflicts);
        await host.Harness.Start();
        return host;
    }

    public Task Publish<T>(T message)
        where T : class => Harness.Bus.Publish(message);

    public async Task<CounterState?> Read(Guid id)
    {
        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CounterDbContext>();
        return await db.Counters.AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id);
    }

    public async Task<int> CountRows(Guid id)
    {
        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CounterDbContext>();
        return await db.Counters.CountAsync(x => x.CorrelationId == id);
    }

    /// <summary>Waits for <paramref name="expected"/> CounterChanged events of one counter, or the harness timeout.</summary>
    public async Task<IReadOnlyList<int>> WaitForChanges(Guid id, int expected)
    {
        var counts = new List<int>();
        await foreach (var published in Harness.Published.SelectAsync<CounterChanged>(x => x.Context.Message.CounterId == id))
        {
            counts.Add(published.Context.Message.Count);
            if (counts.Count == expected)
            {
                break;
            }
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
