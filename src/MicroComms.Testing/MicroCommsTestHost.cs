using MassTransit;
using MicroComms.Messaging;
using MicroComms.Messaging.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Testing;

/// <summary>
/// Generic hosts composed as the <c>microcomms</c> executable composes them (AddMicroComms) on whichever transport the
/// settings name, with retry intervals short enough for a test.
/// </summary>
public static class MicroCommsTestHost
{
    /// <summary>Adds short immediate-retry intervals and the scheduler on its own SQLite file to <paramref name="settings"/>.</summary>
    public static Dictionary<string, string?> WithFastRetries(Dictionary<string, string?> settings, string schedulerDb) =>
        WithFastRetries(settings, TestDatabase.SqliteFile(schedulerDb));

    /// <summary>Adds short immediate-retry intervals and the scheduler in <paramref name="scheduler"/>, on its store, to <paramref name="settings"/>.</summary>
    public static Dictionary<string, string?> WithFastRetries(Dictionary<string, string?> settings, TestDatabase scheduler)
    {
        foreach (var (key, value) in scheduler.Settings(SchedulerOptions.ConnectionStringName))
        {
            settings[key] = value;
        }

        settings["MicroComms:Scheduler:PollInterval"] = "00:00:01";
        settings["MicroComms:Retry:MinInterval"] = "00:00:00.010";
        settings["MicroComms:Retry:MaxInterval"] = "00:00:00.050";
        settings["MicroComms:Retry:IntervalDelta"] = "00:00:00.010";
        return settings;
    }

    public static IHost Build(
        Dictionary<string, string?> settings,
        Action<IServiceCollection> services,
        Action<IBusRegistrationConfigurator> bus)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        services(builder.Services);
        builder.Services.AddMicroComms(builder.Configuration, bus);
        return builder.Build();
    }

    /// <summary>A fresh SQLite file path under the temp folder.</summary>
    public static string TempDatabase() =>
        TestFiles.Path($"scheduler-{Guid.NewGuid():N}.db");
}
