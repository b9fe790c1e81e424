using System.Net;
using System.Net.Http.Json;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Messaging.Serialization;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Serialization;

/// <summary>
/// The production pipeline (outbox, inbox, scheduler, redelivery, saga, request-response) with every process writing the
/// binary envelope, on the in-memory transport: it serializes every message as the broker would carry it.
/// </summary>
public sealed class BinaryEnvelopeWorkflow_Specs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Orders_complete_are_declined_and_time_out_when_every_service_writes_the_binary_envelope()
    {
        await using var host = await TestHosts.Everything(new()
        {
            ["MicroComms:Serializer"] = "MessagePack",
            ["MicroComms:Orders:PaymentTimeout"] = "00:00:01",
            ["MicroComms:Payments:SlowCustomers:0"] = "erin",
            ["MicroComms:Payments:SlowChargeDelay"] = "00:00:04",
            ["MicroComms:Scheduler:PollInterval"] = "00:00:00.200",
        });
        using var http = host.CreateClient();
        var completed = await PlaceAsync(http, "alice", 10m);
        var declined = await PlaceAsync(http, "bob", 2_000m);
        var timedOut = await PlaceAsync(http, "erin", 10m);

        await Poll.Until(async () => await StateAsync(http, completed) == "Completed", Timeout);
        await Poll.Until(async () => await StateAsync(http, declined) == "Faulted", Timeout);
        await Poll.Until(async () => await StateAsync(http, timedOut) == "Faulted", Timeout);

        // The saga's events come out of its outbox; the harness helper reads the binary replays back as typed messages.
        var published = host.Harness.Published.Select<OrderCompleted>(x => x.Context.Message.OrderId == completed).First();
        Assert.Equal(MessageBodyFormat.MessagePackContentType, published.Context.ContentType?.MediaType);
        Assert.True(await host.Harness.Published.Any<OrderFaulted>(x => x.Context.Message.OrderId == timedOut));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/orders/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task A_failing_consumer_is_redelivered_through_the_scheduler_and_its_fault_carries_the_original_binary_message()
    {
        var attempts = new Attempts();
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings["MicroComms:Serializer"] = "MessagePack";
        settings["MicroComms:Retry:ImmediateLimit"] = "0";
        settings["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:00.200";
        settings["MicroComms:Retry:RedeliveryIntervals:1"] = "00:00:00.200";
        using var host = MicroCommsTestHost.Build(settings, s => s.AddSingleton(attempts), x =>
        {
            x.AddConsumer<FailingShipmentConsumer>();
            x.AddConsumer<ShipmentFaultConsumer>();
        });
        await host.StartAsync();
        var message = new ShipParcel(Guid.NewGuid(), "KB-101", new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero));

        await host.Services.GetRequiredService<IBus>().Publish(message);
        var fault = (Fault<ShipParcel>)await attempts.Faulted.Task.WaitAsync(Timeout);

        Assert.Equal([0, 1, 2], attempts.All.Select(a => a.RedeliveryCount));
        Assert.Equal(message, fault.Message);
        Assert.Equal("no courier", fault.Exceptions.Single().Message);
        Assert.Equal(1, attempts.FaultCount);
        await host.StopAsync();
    }

    private static async Task<Guid> PlaceAsync(HttpClient http, string customer, decimal unitPrice)
    {
        var orderId = Guid.NewGuid();
        var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(orderId, customer, [new PlaceOrderLine("KB-101", 1, unitPrice)]));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return orderId;
    }

    private static async Task<string?> StateAsync(HttpClient http, Guid orderId) =>
        (await http.GetFromJsonAsync<OrderStatus>($"/orders/{orderId}"))?.State;

    public sealed record ShipParcel(Guid ParcelId, string Sku, DateTimeOffset ReadyAt);

    public sealed class FailingShipmentConsumer(Attempts attempts) : IConsumer<ShipParcel>
    {
        public Task Consume(ConsumeContext<ShipParcel> context)
        {
            Assert.Equal(MessageBodyFormat.MessagePackContentType, context.ReceiveContext.ContentType?.MediaType);
            attempts.Record(context);
            throw new InvalidOperationException("no courier");
        }
    }

    public sealed class ShipmentFaultConsumer(Attempts attempts) : IConsumer<Fault<ShipParcel>>
    {
        public Task Consume(ConsumeContext<Fault<ShipParcel>> context)
        {
            attempts.RecordFault(context.Message);
            return Task.CompletedTask;
        }
    }
}
