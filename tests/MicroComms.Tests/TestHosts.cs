using MassTransit;
using MicroComms.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Tests;

/// <summary>Hosts composed exactly as the Host does it (AddMicroComms), on the in-memory transport.</summary>
internal static class TestHosts
{
    /// <summary>In-memory transport, short retry intervals, the scheduler on its own SQLite file.</summary>
    public static Dictionary<string, string?> InMemory(string schedulerDb) => new()
    {
        ["MicroComms:Transport"] = "InMemory",
        ["ConnectionStrings:Scheduler"] = $"Data Source={schedulerDb}",
        ["MicroComms:Scheduler:PollInterval"] = "00:00:01",
        ["MicroComms:Retry:MinInterval"] = "00:00:00.010",
        ["MicroComms:Retry:MaxInterval"] = "00:00:00.050",
        ["MicroComms:Retry:IntervalDelta"] = "00:00:00.010",
    };

    public static IHost Build(
        Dictionary<string, string?> settings,
        Action<IServiceCollection> services,
        Action<IBusRegistrationConfigurator> bus)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        services(builder.Services);
        builder.Services.AddMicroComms(builder.Configuration, bus);
        return builder.Build();
    }

    public static string TempDatabase() =>
        Path.Combine(Path.GetTempPath(), "microcomms-tests", $"scheduler-{Guid.NewGuid():N}.db");
}
