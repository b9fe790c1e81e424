using MassTransit;
using MassTransit.Testing;
using MicroComms.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Testing;

/// <summary>
/// Hosts a service for a test the way production does (its <c>services.AddX(configuration)</c> / <c>x.AddX()</c>
/// pair under <c>AddMicroComms</c>), on MassTransit's in-memory test harness, with each named database in an
/// in-memory SQLite database that lives as long as this host, and its HTTP endpoints on a TestServer.
/// </summary>
public sealed class ServiceTestHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<SqliteConnection> keepAlive;

    private ServiceTestHost(WebApplication app, List<SqliteConnection> keepAlive)
    {
        this.app = app;
        this.keepAlive = keepAlive;
        Harness = app.Services.GetRequiredService<ITestHarness>();
    }

    public IServiceProvider Services => app.Services;

    public ITestHarness Harness { get; }

    /// <summary>A client for the host's HTTP endpoints (in memory, no socket).</summary>
    public HttpClient CreateClient() => app.GetTestClient();

    /// <summary>A handler into the TestServer, for clients that bring their own HttpClient (e.g. a gRPC channel).</summary>
    public HttpMessageHandler CreateHandler() => app.GetTestServer().CreateHandler();

    /// <param name="addServices">The service's <c>services.AddX(configuration)</c>.</param>
    /// <param name="addBus">The service's <c>x.AddX()</c>.</param>
    /// <param name="databases">Connection string names (e.g. "Orders") to point at private in-memory databases.</param>
    /// <param name="mapEndpoints">The service's HTTP endpoints, if it has any.</param>
    /// <param name="settings">Extra configuration (options sections).</param>
    /// <param name="configureServices">Test doubles and the like, registered after the service.</param>
    public static async Task<ServiceTestHost> StartAsync(
        Action<IServiceCollection, IConfiguration> addServices,
        Action<IBusRegistrationConfigurator> addBus,
        IEnumerable<string>? databases = null,
        Action<IEndpointRouteBuilder>? mapEndpoints = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var keepAlive = new List<SqliteConnection>();
        var configurationValues = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["MicroComms:Transport"] = nameof(TransportKind.InMemory),
        };
        foreach (var name in databases ?? [])
        {
            // A shared-cache in-memory database exists while at least one connection to it is open.
            var connectionString = $"Data Source={name}-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            keepAlive.Add(connection);
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
        // Replaces the bus registered above with the in-memory test harness, keeping consumers and conventions.
        builder.Services.AddMassTransitTestHarness();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        mapEndpoints?.Invoke(app);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            keepAlive.ForEach(c => c.Dispose());
            throw;
        }

        return new ServiceTestHost(app, keepAlive);
    }

    /// <summary>Runs <paramref name="action"/> in a fresh scope (a fresh DbContext), e.g. to arrange or inspect rows.</summary>
    public async Task<T> InScopeAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        foreach (var connection in keepAlive)
        {
            await connection.DisposeAsync();
        }
    }
}
