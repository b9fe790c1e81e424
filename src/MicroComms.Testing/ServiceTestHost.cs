using MassTransit;
using MassTransit.DependencyInjection.Testing;
using MassTransit.Testing;
using MicroComms.Messaging;
using MicroComms.Messaging.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MicroComms.Testing;

/// <summary>
/// Hosts a service for a test the way production does: its <c>services.AddX(configuration)</c> / <c>x.AddX()</c>
/// pair under <c>AddMicroComms</c>, so the production bus configuration (retry and redelivery policy, consumer
/// outbox and inbox, durable scheduler, EF Core saga repositories) on the in-memory transport; each named database
/// in a SQLite file of its own under the temp folder, and its HTTP endpoints on a TestServer.
/// </summary>
/// <remarks>
/// <see cref="Harness"/> only observes that bus. MassTransit's <c>AddMassTransitTestHarness()</c> is not called: after
/// <c>AddMicroComms</c> it removes the bus registration (the bus outbox's scoped publish with it) and the saga
/// repositories, and puts its own in-memory bus configuration and in-memory saga repositories in their place, so a test
/// ran another pipeline than production (it hid a restock whose StockRestocked was never stored). Only the harness's
/// observer (connected when the bus is created) is registered here; ServiceTestHost_Specs fails without the production
/// pipeline.
/// </remarks>
public sealed class ServiceTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceTestHost(WebApplication app)
    {
        _app = app;
        Harness = app.Services.GetRequiredService<ITestHarness>();
    }

    public IServiceProvider Services => _app.Services;

    public ITestHarness Harness { get; }

    /// <summary>A client for the host's HTTP endpoints (in memory, no socket).</summary>
    public HttpClient CreateClient() => _app.GetTestClient();

    /// <summary>A handler into the TestServer, for clients that bring their own HttpClient (e.g. a gRPC channel).</summary>
    public HttpMessageHandler CreateHandler() => _app.GetTestServer().CreateHandler();

    /// <param name="addServices">The service's <c>services.AddX(configuration)</c>.</param>
    /// <param name="addBus">The service's <c>x.AddX()</c>.</param>
    /// <param name="databases">Connection string names (e.g. "Orders") to point at private SQLite files.</param>
    /// <param name="mapEndpoints">The service's HTTP endpoints, if it has any.</param>
    /// <param name="settings">Extra configuration (options sections).</param>
    /// <param name="configureServices">Test doubles and the like, registered after the service.</param>
    /// <param name="configureApp">Middleware the host's composition adds before the endpoints (e.g. its HTTP conventions).</param>
    public static async Task<ServiceTestHost> StartAsync(
        Action<IServiceCollection, IConfiguration> addServices,
        Action<IBusRegistrationConfigurator> addBus,
        IEnumerable<string>? databases = null,
        Action<IEndpointRouteBuilder>? mapEndpoints = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureApp = null)
    {
        var configurationValues = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["MicroComms:Transport"] = nameof(TransportKind.InMemory),
        };
        // The scheduler's database too: AddMicroComms adds it to every service, and its default file would be shared by
        // every test host in the run (one test's scheduled messages dispatched by another's host).
        foreach (var name in (databases ?? []).Append(SchedulerOptions.ConnectionStringName).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            // A private file per test, not a shared-cache in-memory database: shared cache locks whole tables and answers
            // SQLITE_LOCKED at once (busy_timeout does not apply), which fails the outbox's commits under concurrency.
            var connectionString = $"Data Source={TestFiles.Path($"{name}-{Guid.NewGuid():N}.db")}";
            configurationValues[$"ConnectionStrings:{name}"] = connectionString;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configurationValues[key] = value;
        }

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(configurationValues);
        addServices(builder.Services, builder.Configuration);
        builder.Services.AddMicroComms(builder.Configuration, addBus);
        AddHarnessObserver(builder.Services);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        configureApp?.Invoke(app);
        mapEndpoints?.Invoke(app);
        OutboxReplayObserver.ConnectTo(app.Services.GetRequiredService<ITestHarness>());
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new ServiceTestHost(app);
    }

    /// <summary>Runs <paramref name="action"/> in a fresh scope (a fresh DbContext), e.g. to arrange or inspect rows.</summary>
    public async Task<T> InScopeAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>
    /// The harness as an observer of the bus already registered: the parts of <c>AddMassTransitTestHarness()</c> that
    /// replace no registration.
    /// </summary>
    private static void AddHarnessObserver(IServiceCollection services)
    {
        // The harness answers "not there" once the bus has been idle this long. MassTransit's 1.2 s was shorter than the
        // gaps between a consumer's commit and its outbox's sends on two cores at a load average of 30 (specs failed then).
        services.AddOptions<TestHarnessOptions>().Configure(o => o.TestInactivityTimeout = TimeSpan.FromSeconds(3));
        services.TryAddSingleton<ContainerTestHarness>();
        services.TryAddSingleton<ITestHarness>(provider => provider.GetRequiredService<ContainerTestHarness>());
        services.AddBusObserver<ContainerTestHarnessBusObserver>();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
