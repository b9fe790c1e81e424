using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Host.Errors;
using MicroComms.Messaging.Serialization;
using MicroComms.Orders;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests;

/// <summary>The binary envelope over a real broker: a mixed fleet, damaged input, and the operator's error-queue commands.</summary>
[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class BinaryEnvelope_Specs(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_fleet_with_Orders_on_the_binary_envelope_and_every_other_service_on_JSON_completes_and_faults_its_orders()
    {
        const int Orders = 12;
        var vhost = await broker.Node.CreateVirtualHostAsync("mixed-fleet");
        var data = TestFiles.Path($"mixed-fleet-{Guid.NewGuid():N}");
        try
        {
            // One process per service; only Orders writes the binary envelope, as in the middle of a fleet's switch.
            await using var fleet = await ServiceFleet.StartAsync(data, service =>
            {
                var settings = broker.Node.Settings(vhost);
                settings["MicroComms:Serializer"] = service == "orders" ? "MessagePack" : "Json";
                settings["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(data, "scheduler.db")}";
                settings["MicroComms:Payments:TransientFailureRate"] = "0.2";
                settings["MicroComms:Payments:DeclineAbove"] = "500";
                settings["MicroComms:Retry:MinInterval"] = "00:00:00.010";
                settings["MicroComms:Retry:MaxInterval"] = "00:00:00.100";
                settings["MicroComms:Retry:IntervalDelta"] = "00:00:00.010";
                settings["Logging:LogLevel:Default"] = "Warning";
                return settings;
            });

            using var http = new HttpClient { BaseAddress = fleet.GatewayAddress };
            var placed = new Dictionary<Guid, string>();
            for (var i = 0; i < Orders; i++)
            {
                var id = Guid.NewGuid();
                var price = i % 4 == 0 ? 600m : 20m;   // every fourth order is declined by Payments
                using var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(id, "alice", [new PlaceOrderLine("KB-101", 1, price)]));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                placed[id] = price > 500m ? OrderStates.Faulted : OrderStates.Completed;
            }

            var final = new Dictionary<Guid, string>();
            await Poll.Until(async () =>
            {
                foreach (var id in placed.Keys.Where(id => !final.ContainsKey(id)))
                {
                    var status = await http.GetFromJsonAsync<OrderStatus>($"/orders/{id}");
                    if (status is not null && OrderStates.IsFinal(status.State))
                    {
                        final[id] = status.State;
                    }
                }

                return final.Count == placed.Count;
            }, Timeout);

            Assert.Equal(placed, final);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task Damaged_binary_bodies_an_unknown_content_type_and_an_unconsumed_type_are_parked_with_a_reason_and_the_endpoint_goes_on()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("binary-poison");
        try
        {
            var parcels = new Parcels();
            var settings = BrokerHosts.Settings(broker.Node, vhost, MicroCommsTestHost.TempDatabase());
            settings["MicroComms:Serializer"] = "MessagePack";
            using var host = MicroCommsTestHost.Build(settings, s => s.AddSingleton(parcels), x => x.AddConsumer<ParcelConsumer>());
            await host.StartAsync();
            var bus = host.Services.GetRequiredService<IBus>();
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:parcel"));
            var whole = MessagePackEnvelopeSerializer.Instance
                .GetMessageBody(new MassTransit.Context.MessageSendContext<Parcel>(new Parcel(Guid.NewGuid(), "KB-101"))).GetBytes();

            await PublishRawAsync(vhost, MessageBodyFormat.MessagePackContentType, whole[..(whole.Length / 2)]);
            await PublishRawAsync(vhost, MessageBodyFormat.MessagePackContentType, [.. whole.Select((b, i) => i is > 2 and < 30 ? (byte)0xc1 : b)]);
            await PublishRawAsync(vhost, "application/x-protobuf", whole);
            await endpoint.Send(new Unwanted("nobody consumes this here"));
            var good = new Parcel(Guid.NewGuid(), "MS-202");
            await endpoint.Send(good);
            var consumed = await parcels.Seen.Task.WaitAsync(Timeout);

            var errors = await GetAsync(vhost, "parcel_error", 3);
            var skipped = Assert.Single(await GetAsync(vhost, "parcel_skipped", 1));
            await host.StopAsync();

            Assert.Equal(good, consumed);
            foreach (var e in errors)
            {
                output.WriteLine($"{e.ContentType}: {e.Headers["MT-Fault-ExceptionType"]}: {e.Headers["MT-Fault-Message"]}");
            }

            Assert.All(errors, e => Assert.Equal("fault", e.Headers["MT-Reason"]));
            Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Headers["MT-Fault-Message"])));
            Assert.Equal(2, errors.Count(e => e.Headers["MT-Fault-Message"].StartsWith("The MessagePack envelope could not be read", StringComparison.Ordinal)));
            Assert.Single(errors, e => e.ContentType == "application/x-protobuf");
            Assert.Equal("dead-letter", skipped.Headers["MT-Reason"]);
            Assert.Equal(MessageBodyFormat.MessagePackContentType, skipped.ContentType);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task Errors_show_prints_a_parked_binary_message_as_JSON_and_errors_replay_gets_it_consumed()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("binary-errors");
        try
        {
            var parcels = new Parcels { Broken = true };
            var settings = BrokerHosts.Settings(broker.Node, vhost, MicroCommsTestHost.TempDatabase());
            settings["MicroComms:Serializer"] = "MessagePack";
            settings["MicroComms:Retry:ImmediateLimit"] = "0";
            settings["MicroComms:Retry:DelayedRedelivery"] = "false";
            using var host = MicroCommsTestHost.Build(settings, s => s.AddSingleton(parcels), x => x.AddConsumer<ParcelConsumer>());
            await host.StartAsync();
            var parcel = new Parcel(Guid.NewGuid(), "MN-303");

            await (await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:parcel"))).Send(parcel);
            await parcels.Failed.Task.WaitAsync(Timeout);
            JsonElement shown = default;
            await Poll.Until(async () =>
            {
                // The queue exists once MassTransit has moved the message there.
                var show = await ErrorsCli.RunAsync(settings, "errors", "show", "parcel_error", "--json", "--body");
                if (show.ExitCode != ExitCodes.Ok)
                {
                    return false;
                }

                using var document = JsonDocument.Parse(show.Output);
                var messages = document.RootElement.GetProperty("messages");
                shown = messages.GetArrayLength() == 1 ? messages[0].Clone() : default;
                return messages.GetArrayLength() == 1;
            }, Timeout);
            parcels.Broken = false;
            var replay = await ErrorsCli.RunAsync(settings, "errors", "replay", "parcel_error", "--all");
            var consumed = await parcels.Seen.Task.WaitAsync(Timeout);
            var table = await ErrorsCli.RunAsync(settings, "errors", "show", "parcel_error", "--body");
            await host.StopAsync();

            Assert.Equal(MessageBodyFormat.MessagePackContentType, shown.GetProperty("contentType").GetString());
            var body = shown.GetProperty("body");
            Assert.Equal("MN-303", body.GetProperty("message").GetProperty("Sku").GetString());
            Assert.EndsWith("+Parcel", body.GetProperty("messageType")[0].GetString(), StringComparison.Ordinal);
            Assert.EndsWith("+Parcel", shown.GetProperty("messageType").GetString(), StringComparison.Ordinal);
            Assert.True(replay.ExitCode == ExitCodes.Ok, replay.Error);
            Assert.Equal(parcel, consumed);
            Assert.Equal(MessageBodyFormat.MessagePackContentType, parcels.ContentType);
            Assert.Contains("'parcel_error' is empty", table.Output, StringComparison.Ordinal);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    private async Task PublishRawAsync(string vhost, string contentType, byte[] body)
    {
        await using var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = contentType, MessageId = Guid.NewGuid().ToString(), Persistent = true };
        await channel.BasicPublishAsync("", "parcel", mandatory: true, properties, body);
    }

    /// <summary>Takes <paramref name="count"/> messages off <paramref name="queue"/>, waiting for them as they are moved there.</summary>
    private async Task<List<Parked>> GetAsync(string vhost, string queue, int count)
    {
        await using var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync();
        var parked = new List<Parked>();
        await Poll.Until(async () =>
        {
            // The queue may not exist yet (the move declares it): a 404 closes the channel, so one channel per look.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                while (parked.Count < count && await channel.BasicGetAsync(queue, autoAck: true) is { } got)
                {
                    var headers = (got.BasicProperties.Headers ?? new Dictionary<string, object?>()).ToDictionary(
                        h => h.Key,
                        h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(h.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
                    parked.Add(new Parked(got.BasicProperties.ContentType, headers));
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
            }

            return parked.Count >= count;
        }, Timeout);
        return parked;
    }

    private sealed record Parked(string? ContentType, Dictionary<string, string> Headers);

    public sealed record Parcel(Guid ParcelId, string Sku);

    public sealed record Unwanted(string Text);

    public sealed class Parcels
    {
        private volatile bool _broken;

        public bool Broken
        {
            get => _broken;
            set => _broken = value;
        }

        public string? ContentType { get; set; }

        public TaskCompletionSource<Parcel> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed class ParcelConsumer(Parcels parcels) : IConsumer<Parcel>
    {
        public Task Consume(ConsumeContext<Parcel> context)
        {
            if (parcels.Broken)
            {
                parcels.Failed.TrySetResult();
                throw new InvalidOperationException("no courier");
            }

            parcels.ContentType = context.ReceiveContext.ContentType?.MediaType;
            parcels.Seen.TrySetResult(context.Message);
            return Task.CompletedTask;
        }
    }
}
