using System.CommandLine;
using System.Text.Json;

namespace MicroComms.Host;

/// <summary>
/// <c>--json</c> on the listing commands (<c>errors list|show</c>, <c>outbox list|show</c>): one JSON object on standard
/// output instead of a table, camelCase field names that stay stable (README lists them), UTC times in ISO 8601. Errors
/// and exit codes stay as without it: a sentence on standard error, <see cref="Errors.ExitCodes"/>.
/// </summary>
public static class OperatorJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Option<bool> Option() => new("--json") { Description = "Print one JSON object for scripts instead of a table." };

    public static void Write<T>(ParseResult parse, T value) =>
        parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(value, Options));

    /// <summary>A time the stores hand back without a kind, marked as the UTC it is.</summary>
    public static DateTime Utc(DateTime time) => time.Kind == DateTimeKind.Utc ? time : DateTime.SpecifyKind(time, DateTimeKind.Utc);
}
