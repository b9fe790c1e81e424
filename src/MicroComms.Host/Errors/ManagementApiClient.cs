using System.Net;
using MicroComms.Messaging;

namespace MicroComms.Host.Errors;

/// <summary>
/// The broker's management HTTP API as the operator user, asked of each node of <c>MicroComms:RabbitMq</c> in turn until
/// one answers: every node of a cluster answers for the whole cluster, so a dead node only costs its connect attempt.
/// A node that refuses the user or does not know the virtual host speaks for the cluster, and ends the search.
/// </summary>
internal sealed class ManagementApiClient(RabbitMqOptions broker, ManagementApiOptions management, OperatorOptions user)
{
    /// <summary>The names of the virtual host's queues.</summary>
    public async Task<IReadOnlyList<string>> ListQueueNamesAsync(CancellationToken cancellationToken) =>
        [.. (await ListQueuesAsync(cancellationToken)).Select(q => q.Name)];

    /// <summary>The virtual host's queues with depth, consumers and rates.</summary>
    public async Task<IReadOnlyList<QueueStatistics>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var baseAddress in management.BaseAddresses(broker))
        {
            try
            {
                return await ListAsync(baseAddress, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"{baseAddress} ({ex.Message})");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{baseAddress} (no answer within {management.ManagementTimeout})");
            }
        }

        throw new ErrorCommandException(
            $"The RabbitMQ management API is not reachable on any node: {string.Join(", ", failures)}. "
            + "Start a node, or set MicroComms:RabbitMq:ManagementPort if it is not on the AMQP port + 10000.");
    }

    private async Task<IReadOnlyList<QueueStatistics>> ListAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = management.ManagementTimeout };
        http.DefaultRequestHeaders.Authorization = user.BasicAuthentication();
        using var response = await http.GetAsync($"api/queues/{Uri.EscapeDataString(broker.VirtualHost)}?columns=name,messages,consumers,message_stats.publish_details.rate,message_stats.deliver_get_details.rate", cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ErrorCommandException(
                $"The management API at {baseAddress} refused user '{user.Username}' ({(int)response.StatusCode} {response.ReasonPhrase}): "
                + "set MicroComms:Operator:Username/Password to a user with management rights on the virtual host.");
        }

        if ((int)response.StatusCode >= 500)
        {
            // A node that is starting or stopping answers 503: another node may do better.
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ErrorCommandException(
                $"The management API at {baseAddress} answered {(int)response.StatusCode} {response.ReasonPhrase} for virtual host '{broker.VirtualHost}'.");
        }

        var queues = await response.Content.ReadFromJsonAsync<List<QueueInfo>>(cancellationToken);
        return [.. (queues ?? []).Select(q => new QueueStatistics(
            q.Name, q.Messages ?? 0, q.Consumers ?? 0, q.Message_Stats?.Publish_Details?.Rate ?? 0, q.Message_Stats?.Deliver_Get_Details?.Rate ?? 0))];
    }

    // The management API's own field names (snake_case); a queue not yet sampled has no counts or stats.
#pragma warning disable IDE1006, CA1707
    private sealed record QueueInfo(string Name, long? Messages, int? Consumers, MessageStats? Message_Stats);

    private sealed record MessageStats(RateDetails? Publish_Details, RateDetails? Deliver_Get_Details);

    private sealed record RateDetails(double Rate);
#pragma warning restore IDE1006, CA1707
}
