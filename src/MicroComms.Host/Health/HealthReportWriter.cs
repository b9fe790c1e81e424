using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MicroComms.Host.Health;

/// <summary>
/// A health report as JSON with stable field names: <c>health</c> (Healthy, Degraded, Unhealthy), <c>durationMs</c> and
/// <c>checks</c> (each with <c>name</c>, <c>health</c>, <c>reason</c>, <c>durationMs</c>, <c>data</c>). A 503 is also a
/// problem-details document (<c>application/problem+json</c>, <c>title</c>, <c>status</c>, <c>detail</c> naming the
/// failing checks) like every other 4xx/5xx of a MicroComms process.
/// </summary>
internal static class HealthReportWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        var status = context.Response.StatusCode;
        var problem = status >= StatusCodes.Status400BadRequest;
        context.Response.ContentType = problem ? "application/problem+json" : "application/json";

        // Written to memory first: the writer flushes synchronously, which Kestrel refuses on the response stream.
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        if (problem)
        {
            json.WriteString("type", "https://tools.ietf.org/html/rfc9110#section-15.6.4");
            json.WriteString("title", $"{ReasonPhrases.GetReasonPhrase(status)}: not ready.");
            json.WriteNumber("status", status);
            var failing = report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => $"{e.Key}: {ReasonOf(e.Value)}");
            json.WriteString("detail", string.Join(" ", failing));
        }

        json.WriteString("health", report.Status.ToString());
        json.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("health", entry.Status.ToString());
            json.WriteString("reason", ReasonOf(entry));
            json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 1));
            if (entry.Data.Count > 0)
            {
                json.WritePropertyName("data");
                JsonSerializer.Serialize(json, entry.Data.ToDictionary(d => d.Key, d => d.Value), JsonSerializerOptions.Web);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>The check's own words, else its exception's (a timeout, a store's error), else its status.</summary>
    private static string ReasonOf(HealthReportEntry entry) =>
        entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString();
}
