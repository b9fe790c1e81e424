using MassTransit;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>A quiet generic host for a scenario: warnings only, so the console shows the table and not the bus.</summary>
public static class BenchHost
{
    public static IHost Build(IDictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        // Measuring starts only once every receive endpoint is bound, or the first publishes would go nowhere.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        configure(builder.Services, builder.Configuration);
        return builder.Build();
    }
}
