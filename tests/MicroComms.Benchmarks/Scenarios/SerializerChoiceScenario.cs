using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using MessagePack;
using MessagePack.Resolvers;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Messaging.Serialization;
using ProtoBuf.Meta;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// Why the binary envelope is MessagePack (issue 22): the benchmark's message in each candidate format, off the broker,
/// on this process's one thread: bytes, and the time to serialize and deserialize it. The message alone as System.Text.Json
/// (MassTransit's options), MessagePack (contractless: the record as it is) and Protocol Buffers (protobuf-net, a runtime
/// model inferred from the record's properties, a surrogate for DateTimeOffset, which protobuf has no type for); then the
/// whole envelope as MassTransit's JSON and MicroComms' MessagePack serializer write and read it on the bus.
/// </summary>
public sealed class SerializerChoiceScenario : IScenario
{
    private const int Iterations = 20_000;

    private static readonly MessagePackSerializerOptions Contractless = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    private readonly Lazy<RuntimeTypeModel> _protobuf = new(ProtobufModel);
    private readonly BenchMessage _message = BenchMessage.Create(1_000_000);

    public string Name => "serializer-choice";

    public ScenarioFamily Family => ScenarioFamily.Serialization;

    public string Description => "the benchmark's message as JSON, MessagePack and Protocol Buffers; the JSON and the MessagePack envelope";

    public Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        foreach (var (_, codec) in Codecs())
        {
            Time(codec, 1_000);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        var results = new List<Measurement>();
        foreach (var (variant, codec) in Codecs())
        {
            results.Add(new Measurement(Name, variant, "bytes", "bytes", codec().Length, HigherIsBetter: false));
            results.Add(new Measurement(Name, variant, "serialize + deserialize", "ns", Time(codec, Iterations), HigherIsBetter: false));
        }

        return Task.FromResult<IReadOnlyList<Measurement>>(results);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Each candidate as a function that writes the message, reads it back, and returns what it wrote.</summary>
    private IEnumerable<(string Variant, Func<byte[]> Codec)> Codecs()
    {
        yield return ("message: JSON (System.Text.Json)", JsonMessage);
        yield return ("message: MessagePack (contractless)", MessagePackMessage);
        yield return ("message: Protocol Buffers (protobuf-net runtime model)", ProtobufMessage);
        yield return ("envelope: MassTransit JSON", () => Envelope(SystemTextJsonMessageSerializer.Instance, SystemTextJsonMessageSerializer.Instance));
        yield return ("envelope: MicroComms MessagePack", () => Envelope(MessagePackEnvelopeSerializer.Instance, MessagePackEnvelopeSerializer.Instance));
    }

    private byte[] JsonMessage()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(_message, SystemTextJsonMessageSerializer.Options);
        _ = JsonSerializer.Deserialize<BenchMessage>(bytes, SystemTextJsonMessageSerializer.Options);
        return bytes;
    }

    private byte[] MessagePackMessage()
    {
        var bytes = MessagePackSerializer.Serialize(_message, Contractless);
        _ = MessagePackSerializer.Deserialize<BenchMessage>(bytes, Contractless);
        return bytes;
    }

    private byte[] ProtobufMessage()
    {
        using var stream = new MemoryStream();
        _protobuf.Value.Serialize(stream, _message);
        var bytes = stream.ToArray();
        _ = _protobuf.Value.Deserialize<BenchMessage>(new ReadOnlyMemory<byte>(bytes));
        return bytes;
    }

    /// <summary>The envelope of a publish as the bus writes it (ids, addresses, types, a header), read back to the record.</summary>
    private byte[] Envelope(IMessageSerializer serializer, IMessageDeserializer deserializer)
    {
        var context = new MessageSendContext<BenchMessage>(_message)
        {
            MessageId = Guid.NewGuid(),
            ConversationId = Guid.NewGuid(),
            CorrelationId = _message.OrderId,
            SourceAddress = new Uri("rabbitmq://127.0.0.1:5672/microcomms/benchhost_MicroComms_Benchmarks_bus_7yoyyyrd6iaqnaxwbdq3gk6pnk?temporary=true"),
            DestinationAddress = new Uri("rabbitmq://127.0.0.1:5672/microcomms/MicroComms.Benchmarks.Infrastructure:BenchMessage"),
        };
        var bytes = serializer.GetMessageBody(context).GetBytes();
        if (!deserializer.Deserialize(new BytesMessageBody(bytes), EmptyHeaders.Instance).TryGetMessage<BenchMessage>(out _))
        {
            throw new InvalidOperationException($"{serializer.ContentType} did not read back its own envelope.");
        }

        return bytes;
    }

    private static double Time(Func<byte[]> codec, int iterations)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            codec();
        }

        return watch.Elapsed.TotalNanoseconds / iterations;
    }

    /// <summary>Fields numbered in the order the record declares them: what a generated schema would do.</summary>
    private static RuntimeTypeModel ProtobufModel()
    {
        var model = RuntimeTypeModel.Create();
        model.Add(typeof(DateTimeOffset), false).SetSurrogate(typeof(DateTimeOffsetSurrogate));
        var type = model.Add(typeof(BenchMessage), false);
        type.UseConstructor = false;
        type.Add([.. typeof(BenchMessage).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Select(p => p.Name)]);
        return model;
    }

    /// <summary>DateTimeOffset as protobuf-net carries what it has no type for: ticks and the offset.</summary>
    [ProtoBuf.ProtoContract]
    public sealed class DateTimeOffsetSurrogate
    {
        [ProtoBuf.ProtoMember(1)]
        public long Ticks { get; set; }

        [ProtoBuf.ProtoMember(2)]
        public short OffsetMinutes { get; set; }

        public static implicit operator DateTimeOffsetSurrogate(DateTimeOffset value) =>
            new() { Ticks = value.Ticks, OffsetMinutes = (short)value.Offset.TotalMinutes };

        public static implicit operator DateTimeOffset(DateTimeOffsetSurrogate value) =>
            new(value.Ticks, TimeSpan.FromMinutes(value.OffsetMinutes));
    }
}
