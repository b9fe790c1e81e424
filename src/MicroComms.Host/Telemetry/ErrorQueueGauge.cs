using System.Diagnostics.Metrics;
using System.Text.Json;
using MicroComms.Host.Errors;
using MicroComms.Messaging;
using OpenTelemetry;

namespace MicroComms.Host.Telemetry;

/// <summary>
/// <c>microcomms.error_queue.messages</c>: the depth of every error and skipped queue of the virtual host, as the
/// management API reports it (sampled by the broker every few seconds), read as the operator user of the <c>errors</c>
/// commands only when the meter is collected, of each node of the list in turn (as the <c>errors</c> commands ask it),
/// never waiting longer than <see cref="Timeout"/> for one.
/// </summary>
internal sealed class ErrorQueueGauge : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http;
    private readonly IReadOnlyList<Uri> _nodes;
    private readonly string _path;
    private readonly ILogger<ErrorQueueGauge> _logger;

    public ErrorQueueGauge(IConfiguration configuration, IMeterFactory meters, ILogger<ErrorQueueGauge> logger)
    {
        var section = configuration.GetSection("MicroComms:RabbitMq");
        var broker = section.Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        var management = section.Get<ManagementApiOptions>() ?? new ManagementApiOptions();
        var user = configuration.GetSection($"MicroComms:{OperatorOptions.SectionName}").Get<OperatorOptions>() ?? new OperatorOptions();
        _nodes = [.. management.BaseAddresses(broker)];
        _http = new HttpClient { Timeout = Timeout };
        _http.DefaultRequestHeaders.Authorization = user.BasicAuthentication();
        _path = $"api/queues/{Uri.EscapeDataString(broker.VirtualHost)}?columns=name,messages";
        _logger = logger;
        // The factory hands out one MicroComms meter per process and disposes it with the host.
        meters.Create(Messaging.Telemetry.MicroCommsTelemetry.MeterName).CreateObservableGauge("microcomms.error_queue.messages", Read, "{message}",
            "Messages parked in each _error and _skipped queue (the management API's count).");
    }

    private IEnumerable<Measurement<long>> Read()
    {
        // Observable instruments are read synchronously; the client's timeout bounds each node's answer. A scrape's own
        // calls are not traced.
        using var untraced = SuppressInstrumentationScope.Begin();
        foreach (var node in _nodes)
        {
            try
            {
                using var response = _http.Send(new HttpRequestMessage(HttpMethod.Get, new Uri(node, _path)));
                response.EnsureSuccessStatusCode();
                using var body = response.Content.ReadAsStream();
                var queues = JsonSerializer.Deserialize<List<QueueRow>>(body, JsonSerializerOptions.Web) ?? [];
                return queues.Where(q => ErrorQueueNames.IsParkingQueue(q.Name))
                    .Select(q => new Measurement<long>(q.Messages ?? 0, new KeyValuePair<string, object?>("queue", q.Name)))
                    .ToList();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                _logger.LogWarning("Metrics: error-queue depths not read from the management API at {Address}: {Reason}", node, ex.Message);
            }
        }

        return [];
    }

    public void Dispose() => _http.Dispose();

    private sealed record QueueRow(string Name, long? Messages);
}
