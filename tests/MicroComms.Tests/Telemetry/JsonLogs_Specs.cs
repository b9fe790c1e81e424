using System.Text.Json;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Host;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Telemetry;

/// <summary>
/// The console in JSON (<c>Logging:Console:FormatterName=json</c>, the standard setting): a consumer's line carries the
/// trace and span ids and the message it was written for.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class JsonLogs_Specs
{
    [Fact]
    public async Task A_consumer_log_line_in_JSON_carries_the_trace_id_span_id_and_the_message_id_type_and_endpoint()
    {
        var console = new StringWriter();
        var original = Console.Out;
        // The console logger writes to Console.Out; the telemetry specs run alone, so nothing else writes there meanwhile.
        Console.SetOut(TextWriter.Synchronized(console));
        try
        {
            await using var app = MicroCommsApp.Build(new Dictionary<string, string?>
            {
                ["MicroComms:Transport"] = "InMemory",
                ["MicroComms:Host:Services"] = "notifications",
                ["MicroComms:Host:DataDirectory"] = TestFiles.Path($"json-logs-{Guid.NewGuid():N}"),
                ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
                ["Logging:Console:FormatterName"] = "json",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:MicroComms.Notifications"] = "Information",
            });
            await app.StartAsync();

            var messageId = NewId.NextGuid();
            var orderId = Guid.NewGuid();
            await app.Services.GetRequiredService<IBus>().Publish(new OrderCompleted(orderId, "alice", DateTimeOffset.UtcNow), c => c.MessageId = messageId);

            JsonElement? line = null;
            await Poll.Until(() => (line = Lines(console).Cast<JsonElement?>().FirstOrDefault(l =>
                l!.Value.TryGetProperty("Message", out var message) && message.GetString()!.Contains(orderId.ToString(), StringComparison.Ordinal))) is not null);

            var scopes = line!.Value.GetProperty("Scopes").EnumerateArray().ToList();
            Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var id) && id.GetString()!.Length == 32);
            Assert.Contains(scopes, s => s.TryGetProperty("SpanId", out var id) && id.GetString()!.Length == 16);
            Assert.Contains(scopes, s => s.TryGetProperty("MessageId", out var id) && id.GetString() == messageId.ToString());
            Assert.Contains(scopes, s => s.TryGetProperty("MessageType", out var type) && type.GetString() == "urn:message:MicroComms.Contracts:OrderCompleted");
            Assert.Contains(scopes, s => s.TryGetProperty("Endpoint", out var endpoint) && !string.IsNullOrEmpty(endpoint.GetString()));
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    /// <summary>The JSON lines written so far (other console output skipped).</summary>
    private static List<JsonElement> Lines(StringWriter console)
    {
        var lines = new List<JsonElement>();
        foreach (var text in console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (text.StartsWith('{'))
            {
                try
                {
                    lines.Add(JsonDocument.Parse(text).RootElement.Clone());
                }
                catch (JsonException)
                {
                    // A line still being written.
                }
            }
        }

        return lines;
    }
}
