namespace MicroComms.Host;

/// <summary>The services one process can run, by the names <c>--services</c> takes.</summary>
public static class ServiceNames
{
    public const string Orders = "orders";
    public const string Inventory = "inventory";
    public const string Payments = "payments";
    public const string Notifications = "notifications";
    public const string Gateway = "gateway";

    /// <summary>The operator web console: no bus endpoints of its own, so not a <see cref="ServiceModule"/>; part of "all".</summary>
    public const string Console = "console";

    /// <summary>The services on the bus (what each test host and broker user is per); "all" is these and the console.</summary>
    public static readonly IReadOnlyList<string> All = ServiceModules.All.Select(m => m.Name).ToList();

    private static readonly IReadOnlyList<string> Valid = [.. All, Console];

    /// <summary>Parses "orders,gateway" (or "all"); an unknown name stops start-up with the list of valid ones.</summary>
    public static IReadOnlySet<string> Parse(string value)
    {
        var names = value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant())
            .ToList();
        if (names.Count == 0)
        {
            throw new HostConfigurationException($"No services named. Use any of: {string.Join(", ", Valid)} (or 'all').");
        }

        if (names.Contains("all"))
        {
            return Valid.ToHashSet(StringComparer.Ordinal);
        }

        var unknown = names.Where(n => !Valid.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new HostConfigurationException(
                $"Unknown service(s): {string.Join(", ", unknown)}. Use any of: {string.Join(", ", Valid)} (or 'all').");
        }

        return names.ToHashSet(StringComparer.Ordinal);
    }
}
