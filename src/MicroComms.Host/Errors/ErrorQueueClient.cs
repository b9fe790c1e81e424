using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MicroComms.Messaging;
using MicroComms.Messaging.Retry;
using MicroComms.Messaging.Serialization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace MicroComms.Host.Errors;

/// <summary>
/// The broker operations behind <c>errors</c>: queue counts from the management API, and reading,
/// replaying and purging parked messages over AMQP, both as the operator user, never the services' own.
/// Both go to whichever node of <c>MicroComms:RabbitMq:Hosts</c> answers: any live node of a cluster will do.
/// </summary>
public sealed class ErrorQueueClient(RabbitMqOptions broker, ManagementApiOptions management, OperatorOptions user)
{
    /// <summary>Headers describing the failure; a replayed message starts clean without them.</summary>
    private static readonly string[] FailureHeaderPrefixes = ["MT-Fault-", "MT-Host-"];

    private static readonly string[] FailureHeaders = ["MT-Reason", MicroCommsHeaders.RedeliveryCount, MicroCommsHeaders.FirstFaultTimestamp];

    public const string ReplayedFromHeader = "MicroComms-Replayed-From";

    /// <summary>Replayed copies awaiting their publisher confirm at once.</summary>
    private const int ReplayBatchSize = 100;

    /// <summary>
    /// How often a copy the broker refused (a negative confirm: not stored) is published again, waiting a little longer
    /// each time: about 10 s in all, what a quorum queue whose leader died needs to elect another. A refusal that lasts
    /// longer stops the replay as before, with the message still parked.
    /// </summary>
    private const int RefusedCopyRetries = 6;

    private static readonly TimeSpan RefusedCopyBackoff = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The client for the broker and operator user <paramref name="configuration"/> names (<c>MicroComms:RabbitMq</c>,
    /// <c>MicroComms:Operator</c>), validated; the <c>errors</c> commands and the web console both start here.
    /// </summary>
    /// <exception cref="ValidationException">A setting is invalid, or the development password is used off loopback.</exception>
    public static ErrorQueueClient FromConfiguration(IConfiguration configuration)
    {
        var microComms = configuration.GetSection(MicroCommsOptions.SectionName);
        var section = microComms.GetSection("RabbitMq");
        var broker = section.Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        var management = section.Get<ManagementApiOptions>() ?? new ManagementApiOptions();
        var user = microComms.GetSection(OperatorOptions.SectionName).Get<OperatorOptions>() ?? new OperatorOptions();
        Validator.ValidateObject(broker, new ValidationContext(broker), validateAllProperties: true);
        Validator.ValidateObject(management, new ValidationContext(management), validateAllProperties: true);
        Validator.ValidateObject(user, new ValidationContext(user), validateAllProperties: true);
        if (broker.DevelopmentPasswordProblem(user.Username, user.Password, "MicroComms:Operator:Password") is { } problem)
        {
            throw new ValidationException(problem);
        }

        return new ErrorQueueClient(broker, management, user);
    }

    /// <summary>Where the broker is, for messages: its nodes and virtual host.</summary>
    public string BrokerDescription => $"{broker.Describe()} (virtual host '{broker.VirtualHost}')";

    /// <summary>Every queue of the virtual host with depth, consumers and rates, from the management API.</summary>
    public Task<IReadOnlyList<QueueStatistics>> ListQueuesAsync(CancellationToken cancellationToken) =>
        new ManagementApiClient(broker, management, user).ListQueuesAsync(cancellationToken);

    /// <summary>Error and skipped queues of the virtual host with their message counts, by name.</summary>
    public async Task<IReadOnlyList<(string Queue, long Messages)>> ListParkingQueuesAsync(CancellationToken cancellationToken)
    {
        var queues = await new ManagementApiClient(broker, management, user).ListQueueNamesAsync(cancellationToken);
        var names = queues
            .Where(ErrorQueueNames.IsParkingQueue)
            .OrderBy(q => q, StringComparer.Ordinal)
            .ToList();

        // The management API's counts are sampled every few seconds; AMQP gives the count as of now.
        var result = new List<(string Queue, long Messages)>();
        if (names.Count == 0)
        {
            return result;
        }

        await using var connection = await ConnectAsync(cancellationToken);
        foreach (var name in names)
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                result.Add((name, (await channel.QueueDeclarePassiveAsync(name, cancellationToken)).MessageCount));
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                // Deleted since the management API listed it.
            }
        }

        return result;
    }

    /// <summary>Ready messages in the queue; fails when the queue does not exist.</summary>
    public async Task<uint> CountAsync(string queue, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return await DeclarePassiveAsync(channel, queue, cancellationToken);
    }

    /// <summary>
    /// The first <paramref name="count"/> messages, left in the queue: they are fetched unacknowledged and go
    /// back, in their order, when the channel closes.
    /// </summary>
    public async Task<IReadOnlyList<ErrorQueueMessage>> PeekAsync(string queue, int count, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var available = await DeclarePassiveAsync(channel, queue, cancellationToken);

        var result = new List<ErrorQueueMessage>();
        for (var i = 0; i < Math.Min(count, available); i++)
        {
            var got = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
            if (got is null)
            {
                break;
            }

            result.Add(Describe(queue, got));
        }

        return result;
    }

    /// <summary>
    /// Moves messages back to the queue they failed on: each copy is published with a publisher confirm
    /// and the parked message is acknowledged only after the broker confirmed the copy. A crash in
    /// between leaves the parked message in place (it is replayed again later; the inbox drops the
    /// duplicate), so nothing is lost. Up to <see cref="ReplayBatchSize"/> copies are in flight at once:
    /// awaiting each confirm before the next publish would cap a replay's rate (benchmark README). Only the
    /// messages present when the replay starts are considered, so a message that fails again and is
    /// parked anew is not replayed in a loop.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(
        string queue,
        string? messageId,
        Action<int, uint>? progress,
        CancellationToken cancellationToken)
    {
        var result = await ReplayAsync(queue, messageId is null ? null : new HashSet<string>([messageId], StringComparer.OrdinalIgnoreCase), progress, cancellationToken);
        if (messageId is not null && result.Replayed == 0)
        {
            throw new ErrorCommandException($"No message with id {messageId} in '{queue}' ({result.LookedAt} message(s) looked at).");
        }

        return result;
    }

    /// <summary>
    /// As <see cref="ReplayAsync(string, string?, Action{int, uint}?, CancellationToken)"/> for the messages whose ids are in
    /// <paramref name="messageIds"/> (all when null); the ids not found are in <see cref="ReplayResult.NotFound"/>: another
    /// replay took them first, or they were never there.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(
        string queue,
        IReadOnlySet<string>? messageIds,
        Action<int, uint>? progress,
        CancellationToken cancellationToken)
    {
        var wanted = messageIds is null ? null : new HashSet<string>(messageIds, StringComparer.OrdinalIgnoreCase);
        var replayedIds = new List<string>();
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        var total = await DeclarePassiveAsync(channel, queue, cancellationToken);

        var byTarget = new Dictionary<string, int>(StringComparer.Ordinal);
        var replayed = 0;
        var batch = new List<(BasicGetResult Got, string Target, BasicProperties Properties, Task Confirmed)>(ReplayBatchSize);
        uint seen = 0;
        bool AllFound() => wanted is not null && wanted.Count == 0;
        while (seen < total && !AllFound())
        {
            batch.Clear();
            while (batch.Count < ReplayBatchSize && seen < total && !AllFound())
            {
                seen++;
                var got = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
                if (got is null)
                {
                    seen = total;
                    break;
                }

                if (wanted is not null && !wanted.Remove(MessageIdOf(got)))
                {
                    // Not one asked for: left unacknowledged, it returns to its place when the channel closes.
                    continue;
                }

                var headers = got.BasicProperties.Headers ?? new Dictionary<string, object?>();
                var target = TargetQueue(queue, headers);
                var properties = new BasicProperties(got.BasicProperties) { Headers = CleanHeaders(headers, queue) };
                batch.Add((got, target, properties, Publish(channel, got, target, properties, cancellationToken)));
            }

            // Acknowledge in order, each only after its own confirm; a copy the broker went on refusing stops the replay.
            foreach (var (got, target, properties, confirmed) in batch)
            {
                try
                {
                    await ConfirmedAsync(channel, got, target, properties, confirmed, cancellationToken);
                }
                catch (Exception ex) when (ex is PublishException or AlreadyClosedException)
                {
                    throw new ErrorCommandException(
                        $"The broker did not accept message {MessageIdOf(got)} for queue '{target}' ({ex.Message}); it stays in '{queue}'. "
                        + $"{replayed} message(s) were replayed before it.", ex);
                }

                await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken);
                replayed++;
                replayedIds.Add(MessageIdOf(got));
                byTarget[target] = byTarget.GetValueOrDefault(target) + 1;
                progress?.Invoke(replayed, messageIds is null ? total : (uint)messageIds.Count);
            }
        }

        return new ReplayResult(replayed, byTarget)
        {
            LookedAt = seen,
            ReplayedIds = replayedIds,
            NotFound = wanted is null ? [] : [.. wanted.Order(StringComparer.Ordinal)],
        };
    }

    private static Task Publish(IChannel channel, BasicGetResult got, string target, BasicProperties properties, CancellationToken cancellationToken) =>
        channel.BasicPublishAsync(string.Empty, target, mandatory: true, properties, got.Body.ToArray(), cancellationToken).AsTask();

    /// <summary>
    /// Waits for the copy's confirm; a copy the broker refused without storing it (not returned as unroutable) is published
    /// again, so a replay run while a queue elects its leader goes through instead of stopping at the first refusal.
    /// </summary>
    private static async Task ConfirmedAsync(
        IChannel channel, BasicGetResult got, string target, BasicProperties properties, Task confirmed, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await confirmed;
                return;
            }
            catch (PublishException ex) when (!ex.IsReturn && attempt <= RefusedCopyRetries)
            {
                await Task.Delay(RefusedCopyBackoff * attempt, cancellationToken);
                confirmed = Publish(channel, got, target, properties, cancellationToken);
            }
        }
    }

    /// <summary>
    /// One parked message with all its headers and its body, left in the queue; null when no message with that id is
    /// there (or another operation holds it right now).
    /// </summary>
    public async Task<ParkedMessage?> FindAsync(string queue, string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var got = await TakeAsync(channel, queue, messageId, cancellationToken);
        if (got is null)
        {
            return null;
        }

        var headers = (got.BasicProperties.Headers ?? new Dictionary<string, object?>())
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => new KeyValuePair<string, string>(h.Key, Header(got.BasicProperties.Headers!, h.Key) ?? ""))
            .ToList();
        var summary = Describe(queue, got);
        return new ParkedMessage(summary, summary.ContentType, headers, summary.Body);
    }

    /// <summary>
    /// Deletes the one parked message with <paramref name="messageId"/> (acknowledged, so gone for good); false when it is
    /// not there (or another operation holds it right now).
    /// </summary>
    public async Task<bool> DeleteAsync(string queue, string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var got = await TakeAsync(channel, queue, messageId, cancellationToken);
        if (got is null)
        {
            return false;
        }

        await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken);
        return true;
    }

    /// <summary>
    /// Fetches unacknowledged until the message with <paramref name="messageId"/> comes; the others go back, in their order,
    /// when the channel closes. Messages another channel holds unacknowledged are not seen, so of two racing operations
    /// on one message only one finds it.
    /// </summary>
    private static async Task<BasicGetResult?> TakeAsync(IChannel channel, string queue, string messageId, CancellationToken cancellationToken)
    {
        var total = await DeclarePassiveAsync(channel, queue, cancellationToken);
        for (uint i = 0; i < total; i++)
        {
            var got = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
            if (got is null)
            {
                return null;
            }

            if (string.Equals(MessageIdOf(got), messageId, StringComparison.OrdinalIgnoreCase))
            {
                return got;
            }
        }

        return null;
    }

    public async Task<uint> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await DeclarePassiveAsync(channel, queue, cancellationToken);
        return await channel.QueuePurgeAsync(queue, cancellationToken);
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = broker.ConnectionFactory(user.Username, user.Password);
        try
        {
            return await factory.CreateConnectionAsync(broker.Endpoints(), "microcomms-errors", cancellationToken);
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException ex)
        {
            // RabbitMQ.Client tried every node (in random order) before it gave up.
            var where = broker.Nodes().Count > 1 ? $"any of {broker.Describe()}" : broker.Describe();
            throw new ErrorCommandException(
                $"RabbitMQ is not reachable at {where} (virtual host '{broker.VirtualHost}', user '{user.Username}'): "
                + $"{ex.GetBaseException().Message}. Set MicroComms:RabbitMq:Host/Port (or Hosts)/VirtualHost and MicroComms:Operator:Username/Password.", ex);
        }
    }

    private static async Task<uint> DeclarePassiveAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            throw new QueueNotFoundException($"Queue '{queue}' does not exist (see 'errors list').", ex);
        }
    }

    private static ErrorQueueMessage Describe(string queue, BasicGetResult got)
    {
        var headers = got.BasicProperties.Headers ?? new Dictionary<string, object?>();
        var exceptionType = Header(headers, "MT-Fault-ExceptionType");
        var exceptionMessage = Header(headers, "MT-Fault-Message");
        var summary = exceptionType is null ? "" : $"{exceptionType}: {exceptionMessage}";
        if (summary.Length > 160)
        {
            summary = summary[..157] + "...";
        }

        var redeliveries = Header(headers, MicroCommsHeaders.RedeliveryCount);
        var retries = Header(headers, "MT-Fault-RetryCount");
        var attempts = redeliveries is null && retries is null
            ? ""
            : $"{redeliveries ?? "0"} redelivered, {retries ?? "0"} retried";

        var contentType = got.BasicProperties.ContentType;
        var (body, bodyMessageType) = ReadBody(got.Body, contentType);
        return new ErrorQueueMessage(
            MessageIdOf(got),
            Header(headers, "MT-Fault-MessageType") ?? bodyMessageType,
            Header(headers, "MT-Reason") ?? "",
            summary,
            Header(headers, MicroCommsHeaders.FirstFaultTimestamp) ?? Header(headers, "MT-Fault-Timestamp") ?? "",
            attempts,
            TargetQueue(queue, headers),
            contentType ?? "",
            body);
    }

    /// <summary>The body as indented JSON (JSON or the binary envelope, by content type) and the message type it names.</summary>
    private static (string Body, string MessageType) ReadBody(ReadOnlyMemory<byte> body, string? contentType)
    {
        try
        {
            var json = MessageBodyFormat.ToIndentedJson(body, contentType);
            return (json, MessageTypeFromBody(Encoding.UTF8.GetBytes(json)));
        }
        catch (FormatException ex)
        {
            return ($"(the body cannot be shown: {ex.Message})", MessageBodyFormat.IsMessagePack(contentType) ? "(body is not a MessagePack envelope)" : "(body is not JSON)");
        }
    }

    private static string MessageIdOf(BasicGetResult got) =>
        got.BasicProperties.MessageId
        ?? Header(got.BasicProperties.Headers ?? new Dictionary<string, object?>(), "MessageId")
        ?? "";

    /// <summary>The queue MassTransit recorded as the failing input address, else the name without its suffix.</summary>
    private static string TargetQueue(string queue, IDictionary<string, object?> headers)
    {
        if (Header(headers, "MT-Fault-InputAddress") is { } input
            && Uri.TryCreate(input, UriKind.Absolute, out var address)
            && address.Segments.Length > 0)
        {
            var name = Uri.UnescapeDataString(address.Segments[^1].Trim('/'));
            if (name.Length > 0)
            {
                return name;
            }
        }

        return ErrorQueueNames.SourceQueue(queue);
    }

    private static Dictionary<string, object?> CleanHeaders(IDictionary<string, object?> headers, string queue)
    {
        var clean = headers
            .Where(h => !FailureHeaders.Contains(h.Key, StringComparer.Ordinal)
                        && !FailureHeaderPrefixes.Any(p => h.Key.StartsWith(p, StringComparison.Ordinal)))
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
        clean[ReplayedFromHeader] = queue;
        return clean;
    }

    private static string? Header(IDictionary<string, object?> headers, string key) =>
        headers.TryGetValue(key, out var value)
            ? value switch
            {
                null => null,
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            }
            : null;

    private static string MessageTypeFromBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("messageType", out var types)
                && types.ValueKind == JsonValueKind.Array
                && types.GetArrayLength() > 0)
            {
                var urn = types[0].GetString() ?? "";
                return urn.StartsWith("urn:message:", StringComparison.Ordinal) ? urn["urn:message:".Length..].Replace(':', '.') : urn;
            }

            return "(no message type in body)";
        }
        catch (JsonException)
        {
            return "(body is not JSON)";
        }
    }
}
