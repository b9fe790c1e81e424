using System.Globalization;
using MassTransit;
using MassTransit.Testing;
using MicroComms.Contracts;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Orders;
using MicroComms.Orders.Saga;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Tests.OrderSaga;

/// <summary>
/// Orders alone on MassTransit's test harness with its own registration pair, the SQLite saga repository and the
/// durable scheduler (SQLite files in the temp folder); Inventory and Payments are played by the test, which
/// publishes their events.
/// <para>
/// Composed with <c>AddMassTransitTestHarness(x =&gt; ...)</c> rather than on top of AddMicroComms: called after
/// AddMassTransit, the harness replaces saga repositories with in-memory ones and the bus configuration (and with
/// it the scheduler), which would test neither. The scheduler is wired here the way AddMicroComms wires it.
/// </para>
/// </summary>
internal sealed class OrderSagaHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private OrderSagaHarness(IHost host)
    {
        _host = host;
        Harness = host.Services.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<OrderStateMachine, OrderState>();
        Machine = host.Services.GetRequiredService<OrderStateMachine>();
    }

    public ITestHarness Harness { get; }

    public ISagaStateMachineTestHarness<OrderStateMachine, OrderState> Saga { get; }

    public OrderStateMachine Machine { get; }

    public static async Task<OrderSagaHarness> StartAsync(TimeSpan? paymentTimeout = null)
    {
        var folder = TestFiles.Path($"order-saga-{Guid.NewGuid():N}");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = $"Data Source={Path.Combine(folder, "orders.db")}",
            ["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(folder, "scheduler.db")}",
            ["MicroComms:Orders:PaymentTimeout"] = (paymentTimeout ?? TimeSpan.FromMinutes(5)).ToString("c", CultureInfo.InvariantCulture),
            ["MicroComms:Scheduler:PollInterval"] = "00:00:00.200",
        });
        builder.Services.AddOrders(builder.Configuration);
        builder.Services.AddOptions<SchedulerOptions>().Bind(builder.Configuration.GetSection("MicroComms:Scheduler"));
        builder.Services.AddMicroCommsScheduler(builder.Configuration);
        var scheduler = new Uri($"queue:{new SchedulerOptions().QueueName}");
        builder.Services.AddMassTransitTestHarness(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            x.AddMessageScheduler(scheduler);
            x.AddConsumer<ScheduleMessageConsumer>().Endpoint(e => e.Name = new SchedulerOptions().QueueName);
            x.AddOrders();
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseMessageScheduler(scheduler);
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<TestHarnessOptions>(o => o.TestInactivityTimeout = TimeSpan.FromSeconds(1));

        var host = builder.Build();
        // The outbox replays outgoing messages as serialized bodies: let Published/Sent see them as their contracts.
        await host.StartAsync();
        OutboxReplayObserver.ConnectTo(host.Services.GetRequiredService<ITestHarness>());
        return new OrderSagaHarness(host);
    }

    /// <summary>Starts a workflow as SubmitOrderConsumer would, and waits until it asked for stock.</summary>
    public async Task<Guid> SubmitAsync(decimal total = 100m)
    {
        var orderId = NewId.NextGuid();
        await Harness.Bus.Publish(new OrderSubmitted(orderId, "alice", [new OrderLine("KB-101", 2, total / 2)], total, DateTimeOffset.UtcNow));
        await ReachedAsync(orderId, Machine.Submitted);
        return orderId;
    }

    /// <summary>A workflow that has reserved stock and waits for Payments.</summary>
    public async Task<Guid> AwaitingPaymentAsync()
    {
        var orderId = await SubmitAsync();
        await Harness.Bus.Publish(new StockReserved(orderId));
        await ReachedAsync(orderId, Machine.AwaitingPayment);
        return orderId;
    }

    public async Task ReachedAsync(Guid orderId, State state)
    {
        var found = await Saga.Exists(orderId, _ => state);
        Assert.True(found.HasValue, $"Order {orderId} did not reach {state.Name}; it is {(await ReadAsync(orderId))?.CurrentState ?? "missing"}.");
        await OutboxDeliveredAsync();
    }

    /// <summary>
    /// Waits until the outbox has handed every committed message to the bus. The saga's state commits before its
    /// messages leave, and on a loaded machine the gap can outlast the harness's inactivity timeout, after which
    /// Sent/Published.Any would answer false for a message that is still on its way.
    /// </summary>
    private async Task OutboxDeliveredAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        while (await db.Set<OutboxMessage>().AnyAsync(m => m.SetAside == null, deadline.Token))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }

    public async Task<OrderState?> ReadAsync(Guid orderId)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        return await db.OrderSagas.AsNoTracking().FirstOrDefaultAsync(s => s.CorrelationId == orderId);
    }

    /// <summary>Runs <paramref name="action"/> on a fresh OrdersDbContext, e.g. to arrange or count rows.</summary>
    public async Task<T> InScopeAsync<T>(Func<OrdersDbContext, Task<T>> action)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<OrdersDbContext>());
    }

    public Task<Response<OrderCancellationAccepted, OrderCancellationRejected, OrderNotFound>> CancelAsync(Guid orderId) =>
        Harness.Bus.CreateRequestClient<CancelOrder>(new Uri($"queue:{QueueNames.OrderState}"))
            .GetResponse<OrderCancellationAccepted, OrderCancellationRejected, OrderNotFound>(new CancelOrder(orderId, "changed my mind"));

    public Task<Response<OrderStatus, OrderNotFound>> StatusAsync(Guid orderId) =>
        Harness.Bus.CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"))
            .GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(orderId));

    public int CountSent<T>(Func<T, bool> filter)
        where T : class => Harness.Sent.Select<T>(m => filter(m.Context.Message)).Count();

    public int CountPublished<T>(Func<T, bool> filter)
        where T : class => Harness.Published.Select<T>(m => filter(m.Context.Message)).Count();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
