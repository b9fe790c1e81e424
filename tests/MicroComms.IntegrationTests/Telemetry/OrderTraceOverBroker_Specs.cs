using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using MassTransit.Logging;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Orders;
using MicroComms.Testing;
using OpenTelemetry.Trace;

namespace MicroComms.IntegrationTests.Telemetry;

/// <summary>
/// Each service in a host of its own over RabbitMQ, each host with the Host's telemetry and an in-memory exporter: the
/// trace crosses the broker in the messages' headers, and the hops through the outbox's delivery service and the
/// scheduler keep it.
/// </summary>
[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class OrderTraceOverBroker_Specs(BrokerFixture broker)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task One_order_is_one_trace_across_five_hosts_through_the_delivery_service_and_a_delayed_redelivery()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("order-trace");
        var data = TestFiles.Path($"order-trace-{Guid.NewGuid():N}");
        var recorder = new SpanCollection();
        try
        {
            await using var fleet = await ServiceFleet.StartAsync(data, service =>
            {
                var settings = broker.Node.Settings(vhost);
                settings["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(data, "scheduler.db")}";
                settings["MicroComms:Retry:ImmediateLimit"] = "0";
                settings["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:01.500";
                settings["MicroComms:Outbox:QueryDelay"] = "00:00:00.100";
                settings["MicroComms:Scheduler:PollInterval"] = "00:00:01";
                settings["Logging:LogLevel:Default"] = "Warning";
                // Orders fails right after committing SubmitOrder: its OrderAccepted and OrderSubmitted go out through
                // the delivery service. The first charge fails and comes back through the scheduler.
                settings["MicroComms:CrashPoint:AfterCommitOf"] = nameof(SubmitOrder);
                settings["MicroComms:CrashPoint:Mode"] = "Throw";
                settings["MicroComms:Payments:TransientFailureRate"] = "0.5";
                settings["MicroComms:Payments:Seed"] = SeedFailingOnlyTheFirstCharge().ToString(CultureInfo.InvariantCulture);
                return settings;
            }, s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(recorder)));

            var gateway = fleet.GatewayAddress;
            using var http = new HttpClient { BaseAddress = gateway };
            var orderId = Guid.NewGuid();
            using (var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(orderId, "alice", [new PlaceOrderLine("KB-101", 1, 20m)])))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            string? state = null;
            await Poll.Until(async () =>
            {
                state = (await http.GetFromJsonAsync<OrderStatus>($"/orders/{orderId}"))?.State;
                return state is not null && OrderStates.IsFinal(state);
            }, Settle);
            Assert.Equal(OrderStates.Completed, state);

            var trace = RecordedTrace.OfThePost(recorder, gateway);
            try
            {
                await Poll.Until(() => trace.Processed("OrderCompletedConsumer").Count > 0 && trace.WithoutParent().Count == 0, Settle);
            }
            catch (TimeoutException)
            {
                // The assertions below say what is missing, with the spans recorded.
            }

            Assert.True(trace.WithoutParent().Count == 0, "Spans whose parent is not in the trace:\n" + SpanCollection.Describe(trace.WithoutParent()) + "\nTrace:\n" + trace.Describe());
            Assert.True(trace.Orphans().Count == 0, "Spans of the order's conversation in another trace:\n" + SpanCollection.Describe(trace.Orphans()) + "\nTrace:\n" + trace.Describe());
            foreach (var consumer in new[] { "SubmitOrderConsumer", "ReserveStockConsumer", "ChargePaymentConsumer", "OrderCompletedConsumer", "OrderStateMachine" })
            {
                Assert.True(trace.Processed(consumer).Count > 0, $"No {consumer} in the trace:\n" + trace.Describe());
            }

            Assert.True(trace.Processed("ChargePaymentConsumer").Count >= 2, "The charge was not tried twice in the trace:\n" + trace.Describe());
            Assert.NotEmpty(trace.Named("outbox deliver"));
            Assert.NotEmpty(trace.Named("scheduler send"));
            Assert.Contains(trace.Spans, s => SpanCollection.Tag(s, DiagnosticHeaders.EndState) == OrderStates.Completed
                && SpanCollection.Tag(s, DiagnosticHeaders.BeginState) is not null);
            Assert.Contains(trace.Spans, s => SpanCollection.Tag(s, DiagnosticHeaders.Messaging.System) == "rabbitmq");
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>A payment-provider seed whose first roll fails a charge at a 0.5 failure rate and whose second does not.</summary>
    private static int SeedFailingOnlyTheFirstCharge() => Enumerable.Range(0, 1000).First(seed =>
    {
        var random = new Random(seed);
        return random.NextDouble() < 0.5 && random.NextDouble() >= 0.5;
    });
}
