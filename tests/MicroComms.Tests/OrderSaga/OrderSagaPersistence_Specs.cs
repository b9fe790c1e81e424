using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.Sagas;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using MicroComms.Orders;
using MicroComms.Orders.Saga;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Tests.OrderSaga;

/// <summary>The saga in a real process: the store's repository under racing events, and a restart mid-workflow.</summary>
public abstract class OrderSagaPersistence_Specs(TestStore store) : StoreSpecs(store)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Regression (issue 4): with the general retry on, this spec passed even without UseSagaConcurrencyRetry,
    /// because the general retry also retries a lost race. Here the general retry is off (no immediate retries, no
    /// redelivery), so every lost race must be retried by the saga's concurrency retry or it faults; and without
    /// the version check, copies that read the same state would all act (two charges, two completions). The copies of
    /// each event all load the saga before any of them acts (<see cref="SagaRaceGate"/>): left to chance, they
    /// sometimes ran one after another and never raced (seen in CI).
    /// </summary>
    [Fact]
    public async Task Many_events_for_one_order_at_once_act_once_through_the_saga_concurrency_retry_and_end_in_the_right_state()
    {
        const int Copies = 12;
        await using var orders = await OrdersProcess.StartAsync("orders", OrdersProcess.NewDataDirectory(), await StoreSettingsAsync(new()
        {
            ["MicroComms:Orders:SagaConcurrentMessageLimit"] = "16",
            ["MicroComms:Retry:ImmediateLimit"] = "0",
            ["MicroComms:Retry:DelayedRedelivery"] = "false",
            ["MicroComms:Sagas:MinInterval"] = "00:00:00.001",
            ["MicroComms:Sagas:MaxInterval"] = "00:00:00.040",
            ["MicroComms:Sagas:IntervalDelta"] = "00:00:00.005",
        }));
        // MassTransit's retry entries (R-RETRY, one per attempt that will be retried) caused by a lost saga race: under the
        // consumer outbox the race fails the outbox's commit on the version check or on a duplicate new instance.
        var sagaRetries = new LogCapture(LogLevel.Warning, (message, exception) =>
            message.StartsWith("R-RETRY", StringComparison.Ordinal) && exception is SagaConcurrencyException or DbUpdateException);
        orders.Services.GetRequiredService<ILoggerFactory>().AddProvider(sagaRetries);
        var counter = new ConsumeCounter();
        orders.Bus.ConnectConsumeObserver(counter);
        var race = new SagaRaceGate();
        using var raceHandle = orders.Services.GetRequiredService<OrderStateMachine>().ConnectEventObserver(race);
        var faulted = await ProbeFaultsAsync(orders);
        var reserve = await orders.ProbeAsync<ReserveStock>("reserve-stock");
        var charge = await orders.ProbeAsync<ChargePayment>("charge-payment");
        var release = await orders.ProbeAsync<ReleaseStock>("release-stock");
        var completed = await orders.ProbeAsync<OrderCompleted>("probe-order-completed");
        var orderId = NewId.NextGuid();

        race.HoldUntilLoaded<OrderSubmitted>(Copies);
        var submitted = new OrderSubmitted(orderId, "alice", [new OrderLine("KB-101", 1, 10m)], 10m, DateTimeOffset.UtcNow);
        await Task.WhenAll(Enumerable.Range(0, Copies).Select(_ => orders.Bus.Publish(submitted)));
        await SettledAsync(counter.Consumed<OrderSubmitted>(), Copies, faulted);
        race.HoldUntilLoaded<StockReserved>(Copies);
        await Task.WhenAll(Enumerable.Range(0, Copies).Select(_ => orders.Bus.Publish(new StockReserved(orderId))));
        await SettledAsync(counter.Consumed<StockReserved>(), Copies, faulted);
        race.HoldUntilLoaded<PaymentCompleted>(Copies);
        await Task.WhenAll(Enumerable.Range(0, Copies)
            .SelectMany(_ => new[] { orders.Bus.Publish(new PaymentCompleted(orderId, Guid.Empty, 10m)), orders.Bus.Publish(new StockReserved(orderId)) }));
        await SettledAsync(counter.Consumed<PaymentCompleted>(), Copies, faulted);
        await SettledAsync(counter.Consumed<StockReserved>(), 2 * Copies, faulted);

        await completed.WaitForAsync(1, Timeout);
        var status = await orders.StatusAsync(orderId);
        Assert.Equal(0, faulted.Count);
        Assert.True(sagaRetries.Count > 0, "the events never raced for the saga row, so the spec proves nothing");
        Assert.Equal(0, counter.Faults);
        Assert.Equal(OrderStates.Completed, status.State);
        Assert.Equal(1, reserve.Count);
        Assert.Equal(1, charge.Count);
        Assert.Equal(1, completed.Count);
        Assert.Equal(0, release.Count);

        // Every copy that lost a race had recorded its transition on the instance too: the version check threw the
        // record away with the state, so each state change is on the row once.
        await using var scope = orders.Services.CreateAsyncScope();
        var saga = await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().OrderSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == orderId);
        Assert.Equal([OrderStates.Submitted, OrderStates.AwaitingPayment, OrderStates.Completed], saga.Transitions.Select(t => t.State));
    }

    [Fact]
    public async Task A_process_stopped_while_an_order_waits_for_payment_times_it_out_after_a_restart_and_gives_the_stock_back()
    {
        var data = OrdersProcess.NewDataDirectory();
        var settings = await StoreSettingsAsync(new() { ["MicroComms:Orders:PaymentTimeout"] = "00:00:02" });
        var orderId = NewId.NextGuid();
        int before;

        // Orders and Inventory, but no Payments: the order stops at AwaitingPayment with its timeout scheduled.
        await using (var first = await OrdersProcess.StartAsync("orders,inventory", data, settings))
        {
            var charge = await first.ProbeAsync<ChargePayment>("charge-payment");
            before = await first.AvailableAsync("MS-202");
            var response = await first.Bus.CreateRequestClient<SubmitOrder>(new Uri("queue:submit-order"))
                .GetResponse<OrderAccepted, OrderRejected>(new SubmitOrder(orderId, "bob", [new OrderLine("MS-202", 3, 20m)]));
            Assert.True(response.Is(out Response<OrderAccepted>? _));
            await charge.WaitForAsync(1, Timeout);
            Assert.Equal(OrderStates.AwaitingPayment, (await first.StatusAsync(orderId)).State);
            Assert.Equal(before - 3, await first.AvailableAsync("MS-202"));
        }

        await using var second = await OrdersProcess.StartAsync("orders,inventory", data, settings);
        var faulted = await second.ProbeAsync<OrderFaulted>("probe-order-faulted", m => m.OrderId == orderId);
        var released = await second.ProbeAsync<StockReleased>("probe-stock-released", m => m.OrderId == orderId);

        await faulted.WaitForAsync(1, Timeout);
        await released.WaitForAsync(1, Timeout);
        var status = await second.StatusAsync(orderId);
        Assert.Equal(OrderStates.Faulted, status.State);
        Assert.Contains("did not complete within", status.Reason, StringComparison.Ordinal);
        Assert.Equal(before, await second.AvailableAsync("MS-202"));
    }

    [Fact]
    public async Task The_status_is_answered_from_the_saga_with_its_times_and_an_unknown_order_is_not_found()
    {
        await using var orders = await OrdersProcess.StartAsync("all", OrdersProcess.NewDataDirectory(), await StoreSettingsAsync(new()
        {
            ["MicroComms:Payments:TransientFailureRate"] = "0",
        }));
        var completed = await orders.ProbeAsync<OrderCompleted>("probe-order-completed");
        var orderId = NewId.NextGuid();

        await orders.Bus.CreateRequestClient<SubmitOrder>(new Uri("queue:submit-order"))
            .GetResponse<OrderAccepted, OrderRejected>(new SubmitOrder(orderId, "carol", [new OrderLine("HD-404", 1, 30m)]));
        await completed.WaitForAsync(1, Timeout);

        var status = await orders.StatusAsync(orderId);
        Assert.Equal(OrderStates.Completed, status.State);
        Assert.Equal(30m, status.Total);
        Assert.NotNull(status.FinishedAt);
        Assert.True(status.FinishedAt >= status.SubmittedAt);
        var unknown = await orders.Bus.CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"))
            .GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(NewId.NextGuid()));
        Assert.True(unknown.Is(out Response<OrderNotFound>? _));
    }

    /// <summary>One signal for every Fault&lt;T&gt; the saga's events can end in (published once no retry is left).</summary>
    /// <summary>
    /// <paramref name="settings"/> plus the store: on SQLite the data folder holds a file per service, as in production;
    /// PostgreSQL has no default, so every service and the scheduler get a database of their own.
    /// </summary>
    private async Task<Dictionary<string, string?>> StoreSettingsAsync(Dictionary<string, string?> settings)
    {
        if (Store.Kind == StoreKind.Postgres)
        {
            foreach (var name in new[] { "Orders", "Inventory", "Payments", "Notifications", SchedulerOptions.ConnectionStringName })
            {
                foreach (var (key, value) in (await Store.NewDatabaseAsync()).Settings(name))
                {
                    settings[key] = value;
                }
            }
        }

        return settings;
    }

    private static async Task<OrdersProcess.Signal> ProbeFaultsAsync(OrdersProcess orders)
    {
        var signal = new OrdersProcess.Signal();
        var handle = orders.Bus.ConnectReceiveEndpoint("probe-order-saga-faults", e =>
        {
            e.Handler<Fault<OrderSubmitted>>(_ => Add(signal));
            e.Handler<Fault<StockReserved>>(_ => Add(signal));
            e.Handler<Fault<PaymentCompleted>>(_ => Add(signal));
        });
        await handle.Ready;
        return signal;

        static Task Add(OrdersProcess.Signal signal)
        {
            signal.Add();
            return Task.CompletedTask;
        }
    }

    /// <summary>Waits until <paramref name="expected"/> messages were consumed, failing at once when one faulted instead.</summary>
    private static async Task SettledAsync(OrdersProcess.Signal consumed, int expected, OrdersProcess.Signal faulted)
    {
        var done = consumed.WaitForAsync(expected, Timeout);
        var fault = faulted.WaitForAsync(1, Timeout);
        if (await Task.WhenAny(done, fault) == fault && fault.IsCompletedSuccessfully)
        {
            Assert.Fail($"a saga event faulted: {consumed.Count} of {expected} consumed");
        }

        await done;
    }
}

public sealed class OrderSagaPersistence_Specs_on_Sqlite() : OrderSagaPersistence_Specs(TestStore.Sqlite);

[Trait("Needs", "Postgres")]
public sealed class OrderSagaPersistence_Specs_on_Postgres(PostgresFixture postgres) : OrderSagaPersistence_Specs(postgres.Store), IClassFixture<PostgresFixture>;
