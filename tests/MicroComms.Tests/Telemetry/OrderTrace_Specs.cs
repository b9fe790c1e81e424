using System.Net;
using System.Net.Http.Json;
using MassTransit.Logging;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Host;
using MicroComms.Orders;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Trace;

namespace MicroComms.Tests.Telemetry;

/// <summary>
/// All five services in one process on the in-memory transport, as <c>microcomms</c> runs them, with the Host's own
/// telemetry and an in-memory exporter beside it: one order is one trace, hops through background services included.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OrderTrace_Specs
{
    /// <summary>Long enough for a busy machine; the workflow itself takes a few seconds of redelivery waits.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_order_is_one_trace_from_POST_orders_to_OrderCompleted_in_Notifications_through_the_delivery_service_and_a_delayed_redelivery()
    {
        var recorder = new SpanCollection();
        var settings = Settings();
        // Orders fails right after committing SubmitOrder, so its OrderAccepted and OrderSubmitted go out through the
        // outbox's delivery service; the redelivered SubmitOrder is then a duplicate the inbox drops.
        settings["MicroComms:CrashPoint:AfterCommitOf"] = nameof(SubmitOrder);
        settings["MicroComms:CrashPoint:Mode"] = "Throw";
        // The first charge fails and comes back through the scheduler (a delayed redelivery); the second succeeds.
        settings["MicroComms:Payments:TransientFailureRate"] = "0.5";
        settings["MicroComms:Payments:Seed"] = SeedFailingOnlyTheFirstCharge().ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var app = await StartAsync(settings, recorder);
        var orderId = await PlaceOrderAsync(app, "alice");
        await WaitForFinalStateAsync(app, orderId, OrderStates.Completed);

        var trace = RecordedTrace.OfThePost(recorder, MicroCommsApp.HttpAddresses(app)[0]);
        await WaitUntilWhole(trace, t => t.Processed("OrderCompletedConsumer").Count > 0);

        AssertOneWholeTrace(trace);
        Assert.NotEmpty(trace.Processed("SubmitOrderConsumer"));
        Assert.NotEmpty(trace.Processed("ReserveStockConsumer"));
        Assert.True(trace.Processed("ChargePaymentConsumer").Count >= 2, "The charge was not tried twice in the trace:\n" + trace.Describe());
        Assert.NotEmpty(trace.Processed("OrderCompletedConsumer"));
        Assert.NotEmpty(trace.Named("outbox deliver"));
        Assert.NotEmpty(trace.Named("scheduler send"));
        AssertSagaTransitions(trace, "Completed");

        // The stores' statements show under the hops they serve; those of background polls start no trace of their own.
        Assert.Contains(trace.Spans, s => SpanCollection.Tag(s, "db.system") == "sqlite");
        Assert.DoesNotContain(recorder.Spans, s => SpanCollection.Tag(s, "db.system") is not null && s.ParentSpanId == default);
    }

    [Fact]
    public async Task A_payment_timeout_sent_by_the_scheduler_continues_the_trace_of_the_order_that_scheduled_it()
    {
        var recorder = new SpanCollection();
        var settings = Settings();
        settings["MicroComms:Payments:SlowCustomers:0"] = "alice";
        settings["MicroComms:Payments:SlowChargeDelay"] = "00:00:03";
        settings["MicroComms:Orders:PaymentTimeout"] = "00:00:01";

        await using var app = await StartAsync(settings, recorder);
        var orderId = await PlaceOrderAsync(app, "alice");
        await WaitForFinalStateAsync(app, orderId, OrderStates.Faulted);

        var trace = RecordedTrace.OfThePost(recorder, MicroCommsApp.HttpAddresses(app)[0]);
        // The late payment is refunded after the order faulted: the trace is whole once that is done too.
        await WaitUntilWhole(trace, t => t.Processed("OrderFaultedConsumer").Count > 0 && t.Processed("RefundPaymentConsumer").Count > 0);

        AssertOneWholeTrace(trace);
        var timeout = trace.Named("scheduler send");
        Assert.Contains(timeout, s => SpanCollection.Tag(s, DiagnosticHeaders.MessageTypes)?.Contains(nameof(PaymentTimedOut), StringComparison.Ordinal) == true);
        AssertSagaTransitions(trace, "Faulted");
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["MicroComms:Transport"] = "InMemory",
        ["MicroComms:Host:Services"] = "all",
        ["MicroComms:Host:DataDirectory"] = TestFiles.Path($"trace-{Guid.NewGuid():N}"),
        ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
        ["MicroComms:Host:GrpcUrl"] = "",
        ["MicroComms:Retry:ImmediateLimit"] = "0",
        ["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:01.500",
        ["MicroComms:Outbox:QueryDelay"] = "00:00:00.100",
        ["MicroComms:Payments:TransientFailureRate"] = "0",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings, SpanCollection recorder)
    {
        var app = MicroCommsApp.Build(settings, s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(recorder)));
        await app.StartAsync();
        return app;
    }

    private static async Task<Guid> PlaceOrderAsync(WebApplication app, string customer)
    {
        using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(app)[0] };
        var orderId = Guid.NewGuid();
        using var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(orderId, customer, [new PlaceOrderLine("KB-101", 1, 20m)]));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return orderId;
    }

    private static async Task WaitForFinalStateAsync(WebApplication app, Guid orderId, string expected)
    {
        using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(app)[0] };
        string? state = null;
        await Poll.Until(async () =>
        {
            state = (await http.GetFromJsonAsync<OrderStatus>($"/orders/{orderId}"))?.State;
            return state is not null && OrderStates.IsFinal(state);
        }, Settle);
        Assert.Equal(expected, state);
    }

    /// <summary>Spans end after the work they cover: wait until the last expected hop is in and every parent ended too.</summary>
    private static async Task WaitUntilWhole(RecordedTrace trace, Func<RecordedTrace, bool> lastHopIn)
    {
        try
        {
            await Poll.Until(() => lastHopIn(trace) && trace.WithoutParent().Count == 0, Settle);
        }
        catch (TimeoutException)
        {
            // The assertions below say what is missing, with the spans recorded.
        }
    }

    private static void AssertOneWholeTrace(RecordedTrace trace)
    {
        Assert.True(trace.WithoutParent().Count == 0, "Spans whose parent is not in the trace:\n" + SpanCollection.Describe(trace.WithoutParent()) + "\nTrace:\n" + trace.Describe());
        Assert.True(trace.Orphans().Count == 0, "Spans of the order's conversation in another trace:\n" + SpanCollection.Describe(trace.Orphans()) + "\nTrace:\n" + trace.Describe());
    }

    /// <summary>MassTransit's saga spans carry the state before and after the event.</summary>
    private static void AssertSagaTransitions(RecordedTrace trace, string finalState)
    {
        var transitions = trace.Spans.Where(s => SpanCollection.Tag(s, DiagnosticHeaders.EndState) is not null).ToList();
        Assert.True(transitions.Count >= 3, "Fewer than three saga transitions in the trace:\n" + trace.Describe());
        Assert.All(transitions, s => Assert.NotNull(SpanCollection.Tag(s, DiagnosticHeaders.BeginState)));
        Assert.Contains(transitions, s => SpanCollection.Tag(s, DiagnosticHeaders.EndState) == finalState);
    }

    /// <summary>A payment-provider seed whose first roll fails a charge at a 0.5 failure rate and whose second does not.</summary>
    private static int SeedFailingOnlyTheFirstCharge() => Enumerable.Range(0, 1000).First(seed =>
    {
        var random = new Random(seed);
        return random.NextDouble() < 0.5 && random.NextDouble() >= 0.5;
    });
}
