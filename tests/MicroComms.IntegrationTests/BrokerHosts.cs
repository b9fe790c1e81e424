using MassTransit;
using MicroComms.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.IntegrationTests;

/// <summary>Hosts composed exactly as the Host does it (AddMicroComms), against the test broker.</summary>
internal static class BrokerHosts
{
    /// <summary>RabbitMQ in <paramref name="virtualHost"/>, short retry intervals, the scheduler on its own SQLite file.</summary>
    public static Dictionary<string, string?> Settings(RabbitMqNode node, string virtualHost, string schedulerDb)
    {
        var settings = node.Settings(virtualHost);
        settings["ConnectionStrings:Scheduler"] = $"Data Source={schedulerDb}";
        settings["MicroComms:Scheduler:PollInterval"] = "00:00:01";
        settings["MicroComms:Retry:MinInterval"] = "00:00:00.010";
        settings["MicroComms:Retry:MaxInterval"] = "00:00:00.050";
        settings["MicroComms:Retry:IntervalDelta"] = "00:00:00.010";
        settings["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:01";
        settings["MicroComms:Retry:RedeliveryIntervals:1"] = "00:00:01";
        return settings;
    }

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
