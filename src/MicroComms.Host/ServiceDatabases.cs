using MicroComms.Messaging.Scheduling;

namespace MicroComms.Host;

/// <summary>
/// Where each service keeps its SQLite database, and the process its scheduler's: <c>ConnectionStrings:&lt;Name&gt;</c>,
/// else <c>&lt;data&gt;/&lt;name&gt;.db</c>.
/// </summary>
public static class ServiceDatabases
{
    /// <summary>The services with a database of their own, by their connection-string name.</summary>
    public static readonly IReadOnlyList<string> Names = ServiceModules.All.Where(m => m.DatabaseName is not null).Select(m => m.DatabaseName!).ToList();

    /// <summary>The scheduler's database: beside the services' in the data folder, so separate data folders never share one.</summary>
    public static string SchedulerConnectionString(IConfiguration configuration, MicroCommsHostOptions host) =>
        ConnectionString(configuration, host, SchedulerOptions.ConnectionStringName);

    /// <summary>The connection string the service <paramref name="name"/> uses under <paramref name="configuration"/>.</summary>
    public static string ConnectionString(IConfiguration configuration, MicroCommsHostOptions host, string name)
    {
        var configured = configuration.GetConnectionString(name);
        return string.IsNullOrEmpty(configured)
            ? $"Data Source={Path.Combine(host.DataDirectory, name.ToLowerInvariant() + ".db")}"
            : configured;
    }
}
