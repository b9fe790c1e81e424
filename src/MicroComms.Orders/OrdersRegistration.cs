using MassTransit;
using MicroComms.Messaging;
using MicroComms.Messaging.Sagas;
using MicroComms.Messaging.Stores;
using MicroComms.Orders.Saga;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MicroComms.Orders;

public static class OrdersRegistration
{
    /// <summary>Orders' database: its connection string is <c>ConnectionStrings:Orders</c>.</summary>
    public const string DatabaseName = "Orders";

    /// <summary>Orders' database (<c>ConnectionStrings:Orders</c>), options, validation rules and the status query.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMicroCommsDbContext<OrdersDbContext>(configuration, DatabaseName);
        services.AddOptions<OrdersOptions>()
            .Bind(configuration.GetSection(OrdersOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OrderValidator>();
        services.AddScoped<IOrderStatusQuery, OrderStatusQuery>();
        // The direct calls' gRPC service (DirectCalls/); the Gateway adds gRPC too when it shares the process.
        services.AddGrpc();
        return services;
    }

    /// <summary>
    /// Orders' consumers (SubmitOrder, GetOrderStatus) and the order workflow saga on its queue, order-state,
    /// persisted in the Orders database.
    /// </summary>
    public static IBusRegistrationConfigurator AddOrders(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<SubmitOrderConsumer, SubmitOrderConsumerDefinition>();
        x.AddConsumer<GetOrderStatusConsumer, GetOrderStatusConsumerDefinition>();

        x.AddSagaStateMachine<OrderStateMachine, OrderState, OrderStateDefinition>()
            .DbContextRepository<OrderState, OrdersDbContext>();
        // Database change, inbox row and outgoing messages of every Orders consumer commit together (the outbox).
        x.AddMicroCommsOutbox<OrdersDbContext>();
        return x;
    }
}
