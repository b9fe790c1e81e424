using System.Collections;
using System.Runtime.Serialization;
using System.Text.Json;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using MicroComms.Contracts;
using MicroComms.Messaging.Serialization;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Serialization;

public sealed class MessagePackEnvelope_Specs
{
    private static readonly MessagePackEnvelopeSerializer Serializer = MessagePackEnvelopeSerializer.Instance;

    public static TheoryData<Type> ContractRecords() =>
        [.. typeof(OrderSubmitted).Assembly.GetExportedTypes().Where(t => t.IsClass && !t.IsAbstract && t.GetMethod("<Clone>$") is not null)];

    [Theory]
    [MemberData(nameof(ContractRecords))]
    public void Every_contract_record_comes_back_equal_from_the_binary_envelope(Type record)
    {
        var message = Sample(record);

        var read = RoundTrip(message, record);

        Assert.Equal(JsonSerializer.Serialize(message, record), JsonSerializer.Serialize(read, record));
    }

    [Fact]
    public void The_binary_envelope_keeps_ids_addresses_message_types_headers_sent_time_and_expiration()
    {
        var context = new MessageSendContext<OrderSubmitted>(Sample<OrderSubmitted>())
        {
            MessageId = Guid.NewGuid(),
            RequestId = Guid.NewGuid(),
            CorrelationId = Guid.NewGuid(),
            ConversationId = Guid.NewGuid(),
            InitiatorId = Guid.NewGuid(),
            SourceAddress = new Uri("rabbitmq://127.0.0.1/microcomms/source"),
            DestinationAddress = new Uri("rabbitmq://127.0.0.1/microcomms/destination"),
            ResponseAddress = new Uri("rabbitmq://127.0.0.1/microcomms/response"),
            FaultAddress = new Uri("rabbitmq://127.0.0.1/microcomms/fault"),
            TimeToLive = TimeSpan.FromMinutes(10),
        };
        context.Headers.Set("MT-Redelivery-Count", 2);
        context.Headers.Set("Tenant", "north");

        var before = DateTime.UtcNow;
        var read = Serializer.Deserialize(Serializer.GetMessageBody(context), EmptyHeaders.Instance);

        Assert.Equal(context.MessageId, read.MessageId);
        Assert.Equal(context.RequestId, read.RequestId);
        Assert.Equal(context.CorrelationId, read.CorrelationId);
        Assert.Equal(context.ConversationId, read.ConversationId);
        Assert.Equal(context.InitiatorId, read.InitiatorId);
        Assert.Equal(context.SourceAddress, read.SourceAddress);
        Assert.Equal(context.DestinationAddress, read.DestinationAddress);
        Assert.Equal(context.ResponseAddress, read.ResponseAddress);
        Assert.Equal(context.FaultAddress, read.FaultAddress);
        Assert.NotNull(context.SentTime);
        Assert.Equal(context.SentTime, read.SentTime);
        Assert.InRange(read.ExpirationTime!.Value, before.AddMinutes(10), DateTime.UtcNow.AddMinutes(10));
        Assert.Equal(context.SupportedMessageTypes, read.SupportedMessageTypes);
        Assert.Equal(2, read.Headers.Get<int>("MT-Redelivery-Count"));
        Assert.Equal("north", read.Headers.Get<string>("Tenant"));
    }

    [Fact]
    public void Envelopes_read_one_after_another_keep_their_own_message_types_and_addresses()
    {
        // Two publishes from one bus: the same address bytes ('^', the exchange of the first message type), other types.
        var vhost = "rabbitmq://127.0.0.1/microcomms/";
        var submitted = Publish(new MessageSendContext<OrderSubmitted>(Sample<OrderSubmitted>()), vhost + "MicroComms.Contracts:OrderSubmitted", vhost + "orders");
        var completed = Publish(new MessageSendContext<OrderCompleted>(Sample<OrderCompleted>()), vhost + "MicroComms.Contracts:OrderCompleted", vhost + "orders");
        var elsewhere = Publish(new MessageSendContext<OrderCompleted>(Sample<OrderCompleted>()), "rabbitmq://127.0.0.1/other/MicroComms.Contracts:OrderCompleted", "rabbitmq://127.0.0.1/other/orders");

        foreach (var (body, expected) in new[] { submitted, completed, submitted, elsewhere, completed, elsewhere, submitted })
        {
            var read = Serializer.Deserialize(body, EmptyHeaders.Instance);

            Assert.Equal(expected.SupportedMessageTypes, read.SupportedMessageTypes);
            Assert.Equal(expected.SourceAddress, read.SourceAddress);
            Assert.Equal(expected.DestinationAddress, read.DestinationAddress);
        }

        static (MessageBody, SendContext) Publish<T>(MessageSendContext<T> context, string exchange, string source)
            where T : class
        {
            context.SourceAddress = new Uri(source);
            context.DestinationAddress = new Uri(exchange);
            return (Serializer.GetMessageBody(context), context);
        }
    }

    [Theory]
    [InlineData("2026-12-05T06:07:08.1234567+02:00")]
    [InlineData("2026-12-05T04:07:08Z")]
    [InlineData("2026-12-05T06:07:08+02:00")]
    public void A_time_is_read_from_the_round_trip_text_it_is_written_as_and_from_other_ISO_text(string text)
    {
        var expected = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var fromJson = MessagePack.MessagePackSerializer.ConvertFromJson($$"""{"OrderId":"{{Guid.Empty}}","CustomerId":"c","CompletedAt":"{{text}}"}""");

        var read = MessagePack.MessagePackSerializer.Deserialize<OrderCompleted>(fromJson, ContractlessOptions.Instance);
        var again = MessagePack.MessagePackSerializer.Deserialize<OrderCompleted>(
            MessagePack.MessagePackSerializer.Serialize(read, ContractlessOptions.Instance), ContractlessOptions.Instance);

        Assert.Equal(expected, read.CompletedAt);
        Assert.Equal(expected.Offset, read.CompletedAt.Offset);
        Assert.Equal(read, again);
    }

    [Fact]
    public void A_record_is_read_as_each_interface_and_base_record_it_was_published_as_and_as_no_other_type()
    {
        var message = new CardPaymentTaken(Guid.NewGuid(), 12.50m, "4242");

        var read = Serializer.Deserialize(Serializer.GetMessageBody(new MessageSendContext<CardPaymentTaken>(message)), EmptyHeaders.Instance);

        Assert.True(read.TryGetMessage<IPaymentEvent>(out var asInterface));
        Assert.Equal(message.PaymentId, asInterface!.PaymentId);
        Assert.True(read.TryGetMessage<PaymentTaken>(out var asBase));
        Assert.Equal(message.Amount, asBase!.Amount);
        Assert.True(read.TryGetMessage<CardPaymentTaken>(out var asItself));
        Assert.Equal(message, asItself);
        Assert.False(read.TryGetMessage<OrderSubmitted>(out _));
    }

    [Fact]
    public void A_binary_body_stored_as_text_is_base64_and_reads_back_as_the_same_envelope()
    {
        var message = Sample<OrderSubmitted>();
        var body = Serializer.GetMessageBody(new MessageSendContext<OrderSubmitted>(message) { MessageId = Guid.NewGuid() });

        var stored = body.GetString();
        var read = Serializer.Deserialize(Serializer.GetMessageBody(stored), EmptyHeaders.Instance);

        Assert.Equal(body.GetBytes(), Convert.FromBase64String(stored));
        Assert.True(read.TryGetMessage<OrderSubmitted>(out var again));
        Assert.Equal(JsonSerializer.Serialize(message), JsonSerializer.Serialize(again));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("corrupt")]
    [InlineData("json")]
    public void A_body_that_is_not_a_whole_binary_envelope_fails_as_a_serialization_error(string damage)
    {
        var bytes = Serializer.GetMessageBody(new MessageSendContext<OrderSubmitted>(Sample<OrderSubmitted>())).GetBytes();
        byte[] body = damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "corrupt" => [.. bytes.Select((b, i) => i is > 2 and < 40 ? (byte)0xc1 : b)],
            _ => System.Text.Encoding.UTF8.GetBytes("""{"messageType":["urn:message:MicroComms.Contracts:OrderSubmitted"],"message":{}}"""),
        };

        Assert.Throws<SerializationException>(() => Serializer.Deserialize(new BytesMessageBody(body), EmptyHeaders.Instance));
    }

    [Fact]
    public void A_binary_body_is_shown_as_indented_JSON_with_the_envelope_fields_and_the_message()
    {
        var message = Sample<OrderSubmitted>();
        var messageId = Guid.NewGuid();
        var body = Serializer.GetMessageBody(new MessageSendContext<OrderSubmitted>(message) { MessageId = messageId });

        var text = MessageBodyFormat.ToIndentedJson(body.GetBytes(), MessageBodyFormat.MessagePackContentType);
        var stored = MessageBodyFormat.StoredBodyToIndentedJson(body.GetString(), MessageBodyFormat.MessagePackContentType);

        using var json = JsonDocument.Parse(text);
        Assert.Contains('\n', text);
        Assert.Equal(text, stored);
        Assert.Equal(messageId.ToString(), json.RootElement.GetProperty("messageId").GetString());
        Assert.Equal("urn:message:MicroComms.Contracts:OrderSubmitted", json.RootElement.GetProperty("messageType")[0].GetString());
        Assert.Equal(message.CustomerId, json.RootElement.GetProperty("message").GetProperty("CustomerId").GetString());
        Assert.Throws<FormatException>(() => MessageBodyFormat.ToIndentedJson(body.GetBytes().AsMemory(0, 10), MessageBodyFormat.MessagePackContentType));
    }

    [Fact]
    public void A_serializer_setting_that_names_neither_envelope_stops_start_up_with_a_sentence_naming_the_setting()
    {
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings["MicroComms:Serializer"] = "Protobuf";

        var error = Assert.Throws<InvalidOperationException>(() => MicroCommsTestHost.Build(settings, _ => { }, _ => { }));

        Assert.Contains("MicroComms:Serializer is 'Protobuf'", error.Message, StringComparison.Ordinal);
        Assert.Contains("MessagePack", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SerializerKind.Json)]
    [InlineData(SerializerKind.MessagePack)]
    public async Task An_endpoint_reads_the_envelope_its_process_does_not_write(SerializerKind writes)
    {
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings["MicroComms:Serializer"] = writes.ToString();
        var seen = new TaskCompletionSource<(string? ContentType, CardPaymentTaken Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = MicroCommsTestHost.Build(settings, s => s.AddSingleton(seen), x => x.AddConsumer<CardPaymentConsumer>());
        await host.StartAsync();
        var message = new CardPaymentTaken(Guid.NewGuid(), 3m, "0005");

        // Written in the other envelope, as a process switched (or not yet switched) to it would write it.
        IMessageSerializer other = writes == SerializerKind.Json ? Serializer : SystemTextJsonMessageSerializer.Instance;
        await host.Services.GetRequiredService<IBus>().Publish(message, c => c.Serializer = other);
        var (contentType, received) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(other.ContentType.MediaType, contentType);
        Assert.Equal(message, received);
        await host.StopAsync();
    }

    internal static T Sample<T>() => (T)Sample(typeof(T));

    /// <summary>A value for every constructor parameter of a record, nested records and lists included.</summary>
    private static object Sample(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(Guid))
        {
            return Guid.NewGuid();
        }

        if (underlying == typeof(string))
        {
            return "KB-101 ü";
        }

        if (underlying == typeof(int) || underlying == typeof(long))
        {
            return Convert.ChangeType(42, underlying, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (underlying == typeof(bool))
        {
            return true;
        }

        if (underlying == typeof(decimal))
        {
            return 1234.56m;
        }

        if (underlying == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(2026, 12, 5, 2, 30, 15, 123, TimeSpan.FromHours(1));
        }

        if (underlying == typeof(DateTime))
        {
            return new DateTime(2026, 12, 5, 2, 30, 15, 123, DateTimeKind.Utc);
        }

        if (underlying.IsEnum)
        {
            return Enum.GetValues(underlying).GetValue(0)!;
        }

        if (underlying.IsGenericType && typeof(IEnumerable).IsAssignableFrom(underlying))
        {
            var element = underlying.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Sample(element));
            list.Add(Sample(element));
            return list;
        }

        var constructor = underlying.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return constructor.Invoke([.. constructor.GetParameters().Select(p => Sample(p.ParameterType))]);
    }

    private static object? RoundTrip(object message, Type type)
    {
        var send = (SendContext)Activator.CreateInstance(typeof(MessageSendContext<>).MakeGenericType(type), message, CancellationToken.None)!;
        var method = typeof(MessagePackEnvelopeSerializer).GetMethods()
            .Single(m => m.Name == nameof(MessagePackEnvelopeSerializer.GetMessageBody) && m.IsGenericMethod);
        var body = (MessageBody)method.MakeGenericMethod(type).Invoke(Serializer, [send])!;
        var read = Serializer.Deserialize(body, EmptyHeaders.Instance);
        Assert.True(read.TryGetMessage(type, out var message2), $"{type.Name} did not read back");
        return message2;
    }

    public interface IPaymentEvent
    {
        Guid PaymentId { get; }
    }

    public record PaymentTaken(Guid PaymentId, decimal Amount) : IPaymentEvent;

    public sealed record CardPaymentTaken(Guid PaymentId, decimal Amount, string Last4) : PaymentTaken(PaymentId, Amount);

    public sealed class CardPaymentConsumer(TaskCompletionSource<(string? ContentType, CardPaymentTaken Message)> seen) : IConsumer<CardPaymentTaken>
    {
        public Task Consume(ConsumeContext<CardPaymentTaken> context)
        {
            seen.TrySetResult((context.ReceiveContext.ContentType?.MediaType, context.Message));
            return Task.CompletedTask;
        }
    }
}
