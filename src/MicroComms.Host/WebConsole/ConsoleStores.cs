using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using MicroComms.Orders;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// The databases as the console reaches them: found and opened exactly as the <c>outbox</c> and <c>scheduler</c>
/// commands do (<see cref="OperatorCommand"/>), on SQLite or PostgreSQL; a store error becomes an
/// <see cref="Errors.ErrorCommandException"/> naming the database.
/// </summary>
public sealed class ConsoleStores(IConfiguration configuration)
{
    /// <summary>Every service database, by service, as the Host would open it.</summary>
    public IReadOnlyList<OperatorDatabase> Services => [.. ServiceDatabases.Names.Select(n => OperatorCommand.DatabaseOf(configuration, n))];

    /// <summary>The service database named <paramref name="service"/> (any case), or null.</summary>
    public OperatorDatabase? Service(string service) =>
        ServiceDatabases.Names.FirstOrDefault(n => n.Equals(service, StringComparison.OrdinalIgnoreCase)) is { } name
            ? OperatorCommand.DatabaseOf(configuration, name)
            : null;

    public OperatorDatabase Scheduler => OperatorCommand.DatabaseOf(configuration, SchedulerOptions.ConnectionStringName);

    public OperatorDatabase Orders => OperatorCommand.DatabaseOf(configuration, OrdersRegistration.DatabaseName);

    public static Task<T> OutboxAsync<T>(OperatorDatabase database, Func<OutboxMaintenance, Task<T>> work) =>
        OperatorCommand.WithDatabaseAsync(database, OutboxDbContext.Open, db => work(new OutboxMaintenance(db)));

    public static Task<T> SchedulerAsync<T>(OperatorDatabase database, Func<ScheduledMessageMaintenance, Task<T>> work) =>
        OperatorCommand.WithDatabaseAsync(database, SchedulerDbContext.Open, db => work(new ScheduledMessageMaintenance(db)));

    public static Task<T> OrdersAsync<T>(OperatorDatabase database, Func<OrdersDbContext, Task<T>> work) =>
        OperatorCommand.WithDatabaseAsync(
            database, (store, connectionString) => new OrdersDbContext(StoreRegistration.OptionsFor<OrdersDbContext>(store, connectionString)), work);
}
