using MicroComms.Testing;

namespace MicroComms.Tests;

/// <summary>Settings for <see cref="MicroCommsTestHost"/> on the in-memory transport.</summary>
internal static class BusTestHosts
{
    /// <summary>In-memory transport, short retry intervals, the scheduler on its own SQLite file.</summary>
    public static Dictionary<string, string?> InMemory(string schedulerDb) => InMemory(TestDatabase.SqliteFile(schedulerDb));

    /// <summary>In-memory transport, short retry intervals, the scheduler in <paramref name="scheduler"/> on its store.</summary>
    public static Dictionary<string, string?> InMemory(TestDatabase scheduler) =>
        MicroCommsTestHost.WithFastRetries(new() { ["MicroComms:Transport"] = "InMemory" }, scheduler);
}
