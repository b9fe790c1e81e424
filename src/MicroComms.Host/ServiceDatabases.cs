using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;

namespace MicroComms.Host;

/// <summary>
/// Where each service keeps its database, and the process its scheduler's: <c>ConnectionStrings:&lt;Name&gt;</c>, else
/// on SQLite <c>&lt;data&gt;/&lt;name&gt;.db</c> (PostgreSQL has no default).
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
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        // A PostgreSQL database has no default; its registration says which connection string is missing.
        return StoreRegistration.StoreOf(configuration) == StoreKind.Postgres
            ? ""
            : $"Data Source={Path.Combine(host.DataDirectory, name.ToLowerInvariant() + ".db")}";
    }
}
