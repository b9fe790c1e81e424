using System.Text.Json;
using System.Text.Json.Serialization;

namespace MicroComms.Messaging;

/// <summary>
/// One user's permission regexes on the <c>microcomms</c> virtual host, as <c>rabbitmq/definitions.json</c> declares
/// them. That file is the one list of who may configure, write and read what; the crash run and the tests read it to give
/// the same users the same rights on the fresh virtual hosts they run in.
/// </summary>
public sealed record BrokerPermission(string User, string Configure, string Write, string Read)
{
    /// <summary>The virtual host whose permissions definitions.json declares.</summary>
    public const string DefinitionsVirtualHost = "microcomms";

    /// <summary>The broker user of one service (<c>microcomms-payments</c>); on the rabbitmq/ node its password is the same.</summary>
    public static string ServiceUser(string service) => $"microcomms-{service}";

    /// <summary>
    /// The scheduler queue of a process that runs one service as that service's user (<c>MicroComms:Scheduler:QueueName</c>):
    /// each service schedules through its own queue and table, so a scheduled message is only ever sent by a process of
    /// the service that scheduled it, with that service's rights.
    /// </summary>
    public static string SchedulerQueue(string service) => $"microcomms-scheduler-{service}";

    /// <summary>Every permission on <see cref="DefinitionsVirtualHost"/> in the definitions file at <paramref name="path"/>.</summary>
    public static IReadOnlyList<BrokerPermission> Load(string path)
    {
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize<DefinitionsFile>(stream)
            ?? throw new InvalidDataException($"{path} is not a RabbitMQ definitions file.");
        return file.Permissions
            .Where(p => p.VirtualHost == DefinitionsVirtualHost)
            .Select(p => new BrokerPermission(p.User, p.Configure, p.Write, p.Read))
            .ToList();
    }

    /// <summary>
    /// A definitions document that grants <paramref name="permissions"/> on <paramref name="virtualHost"/> and nothing else,
    /// for <c>rabbitmqctl import_definitions</c> (create or update; the users must exist).
    /// </summary>
    public static string DefinitionsFor(string virtualHost, IEnumerable<BrokerPermission> permissions) =>
        JsonSerializer.Serialize(new DefinitionsFile(
            permissions.Select(p => new PermissionEntry(p.User, virtualHost, p.Configure, p.Write, p.Read)).ToList()));

    private sealed record DefinitionsFile([property: JsonPropertyName("permissions")] List<PermissionEntry> Permissions);

    private sealed record PermissionEntry(
        [property: JsonPropertyName("user")] string User,
        [property: JsonPropertyName("vhost")] string VirtualHost,
        [property: JsonPropertyName("configure")] string Configure,
        [property: JsonPropertyName("write")] string Write,
        [property: JsonPropertyName("read")] string Read);
}
