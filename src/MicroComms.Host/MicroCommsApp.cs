using MassTransit;
using MicroComms.Host.Health;
using MicroComms.Host.Telemetry;
using MicroComms.Host.WebConsole;
using MicroComms.Messaging;
using MicroComms.Messaging.Scheduling;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace MicroComms.Host;

/// <summary>
/// The composition of one MicroComms process: the services <c>MicroComms:Host:Services</c> names, each through
/// its own <c>AddX(configuration)</c> / <c>x.AddX()</c> pair, on the transport <c>MicroComms:Transport</c> names.
/// The command line, the demo and the broker tests all build their processes here.
/// </summary>
public static class MicroCommsApp
{
    /// <param name="overrides">Settings over appsettings.json and the environment (the command line's, a test's).</param>
    /// <param name="configureServices">Registered last, e.g. a test's in-memory telemetry exporter.</param>
    public static WebApplication Build(IEnumerable<KeyValuePair<string, string?>> overrides, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // appsettings.json ships beside the executable; the working directory only decides where ./data is.
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        var commandLine = overrides.ToList();
        builder.Configuration.AddInMemoryCollection(commandLine);
        // The secrets folder may be named on the command line too; the command line still wins over its files.
        builder.Configuration.AddMicroCommsSecrets(builder.Configuration).AddInMemoryCollection(commandLine);
        // A failed start is reported by the command as one sentence (exit code 2); the host's own log of it is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

        var host = builder.Configuration.GetSection(MicroCommsHostOptions.SectionName).Get<MicroCommsHostOptions>() ?? new MicroCommsHostOptions();
        var services = ServiceNames.Parse(host.Services);
        builder.Configuration.AddInMemoryCollection(DerivedSettings(builder.Configuration, host, services));
        builder.Services.AddOptions<MicroCommsHostOptions>().Bind(builder.Configuration.GetSection(MicroCommsHostOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        var configuration = builder.Configuration;
        // Every process answers HTTP the same way (problem details, strict JSON, limits), whichever services it runs.
        builder.Services.AddMicroCommsHttp(configuration);
        builder.Services.AddMicroCommsTelemetry(configuration, string.Join('+', services.Order(StringComparer.Ordinal)));
        var modules = ServiceModules.Named(services);
        foreach (var module in modules)
        {
            module.AddServices(builder.Services, configuration);
        }

        var consoleUrl = services.Contains(ServiceNames.Console) ? WebConsoleRegistration.Url(configuration, host) : null;
        if (consoleUrl is not null)
        {
            builder.Services.AddWebConsole(configuration, consoleUrl);
        }

        builder.Services.AddMicroComms(configuration, x =>
        {
            foreach (var module in modules)
            {
                module.AddBus(x);
            }
        });

        // "Running" (and the URL printed) means the receive endpoints and their queues exist, not just that the bus was asked to start.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMicroCommsHttp();
        app.MapMicroCommsHealth();
        app.MapMicroCommsMetrics();
        if (consoleUrl is not null)
        {
            app.UseWebConsole();
        }

        foreach (var module in modules)
        {
            module.MapEndpoints?.Invoke(app);
        }

        return app;
    }

    /// <summary>The HTTP/1.1 addresses the started process listens on (port 0 resolved to the real port), the console's apart.</summary>
    public static IReadOnlyList<Uri> HttpAddresses(WebApplication app)
    {
        var grpcUrl = app.Services.GetRequiredService<IOptions<MicroCommsHostOptions>>().Value.GrpcUrl;
        var grpcPort = string.IsNullOrWhiteSpace(grpcUrl) ? -1 : new Uri(grpcUrl).Port;
        var consolePort = ConsoleAddress(app)?.Port ?? -1;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a)).Where(a => a.Port != grpcPort && a.Port != consolePort).ToList();
    }

    /// <summary>The web console's address (<c>.../console/</c>) once started, or null when this process runs none.</summary>
    public static Uri? ConsoleAddress(WebApplication app) => app.Services.GetService<ConsoleEndpoint>()?.Address;

    /// <summary>Settings that follow from the host options: each service's and the scheduler's SQLite file, Kestrel's endpoints.</summary>
    private static Dictionary<string, string?> DerivedSettings(IConfiguration configuration, MicroCommsHostOptions host, IReadOnlySet<string> services)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in ServiceDatabases.Names)
        {
            settings[$"ConnectionStrings:{name}"] = ServiceDatabases.ConnectionString(configuration, host, name);
        }

        settings[$"ConnectionStrings:{SchedulerOptions.ConnectionStringName}"] = ServiceDatabases.SchedulerConnectionString(configuration, host);

        var urls = host.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < urls.Length; i++)
        {
            settings[$"Kestrel:Endpoints:Http{i}:Url"] = urls[i];
            settings[$"Kestrel:Endpoints:Http{i}:Protocols"] = "Http1";
        }

        if (services.Contains(ServiceNames.Console) && WebConsoleRegistration.Url(configuration, host) is { } consoleUrl)
        {
            // The console's own endpoint, named so its connections are told apart (ConsoleEndpoint).
            settings[$"Kestrel:Endpoints:{ConsoleEndpoint.KestrelName}:Url"] = consoleUrl;
            settings[$"Kestrel:Endpoints:{ConsoleEndpoint.KestrelName}:Protocols"] = "Http1";
        }

        if (services.Contains(ServiceNames.Gateway) && !string.IsNullOrWhiteSpace(host.GrpcUrl))
        {
            // gRPC needs HTTP/2; without TLS there is no protocol negotiation, so it gets its own h2c port.
            settings["Kestrel:Endpoints:Grpc:Url"] = host.GrpcUrl;
            settings["Kestrel:Endpoints:Grpc:Protocols"] = "Http2";
        }

        return settings;
    }
}
