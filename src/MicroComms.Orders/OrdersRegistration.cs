using MassTransit;
using MicroComms.Messaging;
using MicroComms.Orders.Choreography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MicroComms.Orders;

public static class OrdersRegistration
{
    /// <summary>Orders' database (<c>ConnectionStrings:Orders</c>), options and validation rules.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSqliteDbContext<OrdersDbContext>(configuration, "Orders");
        services.AddOptions<OrdersOptions>()
            .Bind(configuration.GetSection(OrdersOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OrderValidator>();
        return services;
    }

    /// <summary>Orders' consumers: the two requests it answers and, until the saga lands, the choreography.</summary>
    public static IBusRegistrationConfigurator AddOrders(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<SubmitOrderConsumer, SubmitOrderConsumerDefinition>();
        x.AddConsumer<GetOrderStatusConsumer, GetOrderStatusConsumerDefinition>();

        x.AddConsumer<OrderSubmittedConsumer, ChoreographyConsumerDefinition<OrderSubmittedConsumer>>();
        x.AddConsumer<StockReservedConsumer, ChoreographyConsumerDefinition<StockReservedConsumer>>();
        x.AddConsumer<StockReservationFailedConsumer, ChoreographyConsumerDefinition<StockReservationFailedConsumer>>();
        x.AddConsumer<PaymentCompletedConsumer, ChoreographyConsumerDefinition<PaymentCompletedConsumer>>();
        x.AddConsumer<PaymentFailedConsumer, ChoreographyConsumerDefinition<PaymentFailedConsumer>>();
        return x;
    }
}
