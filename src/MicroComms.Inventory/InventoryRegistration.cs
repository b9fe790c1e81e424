using MassTransit;
using MicroComms.Messaging;
using MicroComms.Messaging.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MicroComms.Inventory;

public static class InventoryRegistration
{
    /// <summary>Inventory's database: its connection string is <c>ConnectionStrings:Inventory</c>.</summary>
    public const string DatabaseName = "Inventory";

    /// <summary>Inventory's database (<c>ConnectionStrings:Inventory</c>, seeded with the catalogue) and options.</summary>
    public static IServiceCollection AddInventory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMicroCommsDbContext<InventoryDbContext>(configuration, DatabaseName);
        services.AddOptions<InventoryOptions>()
            .Bind(configuration.GetSection(InventoryOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Inventory's consumers on their fixed queues: reserve-stock, release-stock, check-stock.</summary>
    public static IBusRegistrationConfigurator AddInventory(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<ReserveStockConsumer, ReserveStockConsumerDefinition>();
        x.AddConsumer<ReleaseStockConsumer, ReleaseStockConsumerDefinition>();
        x.AddConsumer<CheckStockConsumer, CheckStockConsumerDefinition>();
        // Consumers: database change, inbox row and outgoing messages commit together. The restock endpoint publishes
        // through the bus outbox, so StockRestocked exists exactly when the new stock level does.
        x.AddMicroCommsOutbox<InventoryDbContext>(o => o.UseBusOutbox());
        return x;
    }
}
