using System.Collections.Concurrent;
using System.Reflection;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using MassTransit.Testing;

namespace MicroComms.Testing;

/// <summary>
/// Shows the harness what the transactional outbox delivers. The outbox replays each stored message as a send of its
/// serialized body (<see cref="SerializedMessageBody"/>), never as a typed publish or send, so the harness's send
/// observer records it as a <c>SerializedMessageBody</c> and <c>Published.Any&lt;T&gt;</c> / <c>Sent.Any&lt;T&gt;</c>
/// never match (MassTransit's own outbox behaves the same, MassTransit issue #4873). This observer deserializes such a
/// replay and adds it to <see cref="IBaseTestHarness.Published"/> (sent to a message-type exchange) or
/// <see cref="IBaseTestHarness.Sent"/> (sent to a queue) as the contract type it carries.
/// </summary>
public sealed class OutboxReplayObserver(ITestHarness harness) : ISendObserver
{
    /// <summary>Connects the observer to the harness's bus; call once per harness, before messages flow.</summary>
    public static ConnectHandle ConnectTo(ITestHarness harness) => harness.Bus.ConnectSendObserver(new OutboxReplayObserver(harness));

    private static readonly ConcurrentDictionary<string, Type?> TypesByUrn = new(StringComparer.Ordinal);

    private static readonly MethodInfo RecordMethod =
        typeof(OutboxReplayObserver).GetMethod(nameof(Record), BindingFlags.NonPublic | BindingFlags.Instance)!;

    public Task PostSend<T>(SendContext<T> context)
        where T : class => Task.CompletedTask;

    // Recorded before the send, ahead of the harness's own observer: its lists keep the first entry per message id,
    // so the typed entry wins over the SerializedMessageBody one.
    public Task PreSend<T>(SendContext<T> context)
        where T : class
    {
        if (typeof(T) != typeof(SerializedMessageBody))
        {
            return Task.CompletedTask;
        }

        // Read with the deserializer of the replay's own content type: the outbox stores JSON or binary envelopes.
        var body = context.Serializer.GetMessageBody(context);
        var contentType = context.ContentType ?? context.Serializer.ContentType;
        var deserializer = context.Serialization.TryGetMessageDeserializer(contentType, out var byContentType)
            ? byContentType
            : SystemTextJsonMessageSerializer.Instance;
        var serialized = deserializer.Deserialize(body, context.Headers, context.DestinationAddress);
        var messageType = serialized.SupportedMessageTypes.Select(Resolve).FirstOrDefault(t => t is not null);
        if (messageType is not null && serialized.TryGetMessage(messageType, out var message) && message is not null)
        {
            RecordMethod.MakeGenericMethod(messageType).Invoke(this, [context, message]);
        }

        return Task.CompletedTask;
    }

    public Task SendFault<T>(SendContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    private void Record<TMessage>(SendContext context, TMessage message)
        where TMessage : class
    {
        // A publish goes to the exchange named after the message type; anything else was a send to a queue.
        var published = context.DestinationAddress?.AbsolutePath.Contains("urn:message:", StringComparison.Ordinal) == true;
        if (published && context is PublishContext publish && harness.Published is PublishedMessageList publishedList)
        {
            publishedList.Add(new PublishContextProxy<TMessage>(publish, message));
        }
        else if (harness.Sent is SentMessageList sentList)
        {
            sentList.Add(new SendContextProxy<TMessage>(context, message));
        }
    }

    private static Type? Resolve(string urn) => TypesByUrn.GetOrAdd(urn, u => AppDomain.CurrentDomain.GetAssemblies()
        .Where(a => !a.IsDynamic)
        .SelectMany(LoadableTypes)
        .FirstOrDefault(t => (t.IsClass || t.IsInterface) && !t.IsGenericTypeDefinition && MessageUrn.ForTypeString(t) == u));

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or NotSupportedException or FileNotFoundException)
        {
            return [];
        }
    }
}
