using MicroComms.Host;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Stores;
using MicroComms.Orders;
using MicroComms.Orders.Saga;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Tests.WebConsole;

/// <summary>
/// One console-only process for a spec class (in-memory transport, its own data folder) beside an Orders database made
/// by the test (SQLite; <see cref="PostgresConsoleHost"/> on PostgreSQL): workflows in several states and one set-aside outbox row, so nothing but the console touches them.
/// </summary>
public class ConsoleHost : IAsyncLifetime
{
    public static readonly Guid OldOpenOrder = Guid.NewGuid();
    public static readonly Guid NewOpenOrder = Guid.NewGuid();
    public static readonly Guid CompletedOrder = Guid.NewGuid();
    public static readonly Guid TimedOutOrder = Guid.NewGuid();
    public const string TimeoutReason = "Payment did not complete within 00:00:30.";

    private readonly string _data = TestFiles.Path($"console-{Guid.NewGuid():N}");
    private WebApplication? _app;

    public Uri Console { get; private set; } = null!;

    public Uri Http { get; private set; } = null!;

    private TestDatabase? _orders;

    /// <summary>The store of the Orders database the console reads.</summary>
    protected virtual TestStore Store => TestStore.Sqlite;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        _orders = await Store.NewDatabaseAsync();
        await using (var db = OpenOrders())
        {
            await StoreSchema.MigrateAsync(db, CancellationToken.None);
            var now = DateTimeOffset.UtcNow;
            db.OrderSagas.AddRange(
                Saga(CompletedOrder, OrderStates.Completed, now.AddHours(-2), finished: now.AddHours(-2).AddSeconds(3), transitions:
                [
                    new(now.AddHours(-2).AddSeconds(1), "OrderSubmitted", OrderStates.Submitted, null),
                    new(now.AddHours(-2).AddSeconds(2), "StockReserved", OrderStates.AwaitingPayment, null),
                    new(now.AddHours(-2).AddSeconds(3), "PaymentCompleted", OrderStates.Completed, null),
                ]),
                Saga(TimedOutOrder, OrderStates.Faulted, now.AddHours(-3), finished: now.AddHours(-3).AddSeconds(32), transitions:
                [
                    new(now.AddHours(-3).AddSeconds(1), "OrderSubmitted", OrderStates.Submitted, null),
                    new(now.AddHours(-3).AddSeconds(2), "StockReserved", OrderStates.AwaitingPayment, null),
                    new(now.AddHours(-3).AddSeconds(32), "PaymentTimedOut", OrderStates.Faulted, TimeoutReason),
                ]),
                Saga(Guid.NewGuid(), OrderStates.Completed, now.AddMinutes(-1), finished: now),
                Saga(OldOpenOrder, OrderStates.AwaitingPayment, now.AddHours(-1)),
                Saga(NewOpenOrder, OrderStates.Submitted, now));
            await db.SaveChangesAsync();
        }

        // The scheduler's tables share the database: a process on PostgreSQL has no default for it.
        var settings = _orders.Settings(OrdersRegistration.DatabaseName, Messaging.Scheduling.SchedulerOptions.ConnectionStringName);
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Host:Services"] = "console",
            ["MicroComms:Host:DataDirectory"] = _data,
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        })
        {
            settings[key] = value;
        }

        _app = MicroCommsApp.Build(settings);
        await _app.StartAsync();
        Console = MicroCommsApp.ConsoleAddress(_app)!;
        Http = MicroCommsApp.HttpAddresses(_app)[0];
    }

    public OrdersDbContext OpenOrders() => new(StoreRegistration.OptionsFor<OrdersDbContext>(_orders!.Store, _orders.ConnectionString));

    /// <summary>A set-aside outbox row in the Orders database; returns its message id.</summary>
    public async Task<Guid> SetAsideOutboxRowAsync(string reason)
    {
        var id = Guid.NewGuid();
        await using var db = OpenOrders();
        db.Set<OutboxMessage>().Add(new OutboxMessage
        {
            MessageId = id,
            OutboxId = Guid.NewGuid(),
            DestinationAddress = new Uri("queue:nowhere"),
            MessageType = "urn:message:MicroComms.Contracts:ReserveStock",
            ContentType = "application/vnd.masstransit+json",
            Body = "{}",
            SentTime = DateTime.UtcNow.AddMinutes(-3),
            DeliveryAttempts = 5,
            SetAside = DateTime.UtcNow.AddMinutes(-1),
            FailureReason = reason,
        });
        await db.SaveChangesAsync();
        return id;
    }

    public async Task<bool> IsSetAsideAsync(Guid messageId)
    {
        await using var db = OpenOrders();
        return await db.Set<OutboxMessage>().AnyAsync(m => m.MessageId == messageId && m.SetAside != null);
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_orders is not null)
        {
            await Store.DeleteAsync(_orders);
        }
    }

    private static OrderState Saga(
        Guid id, string state, DateTimeOffset submitted, DateTimeOffset? finished = null, List<OrderStateTransition>? transitions = null)
    {
        return new()
        {
            CorrelationId = id,
            CurrentState = state,
            CustomerId = "alice",
            Total = 10m,
            SubmittedAt = submitted,
            UpdatedAt = finished ?? submitted,
            FinishedAt = finished,
            Reason = transitions?[^1].Reason,
            Transitions = transitions ?? [],
        };
    }
}
