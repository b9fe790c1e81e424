using MassTransit;
using MicroComms.Messaging;
using MicroComms.Messaging.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MicroComms.Payments;

public static class PaymentsRegistration
{
    /// <summary>Payments' database: its connection string is <c>ConnectionStrings:Payments</c>.</summary>
    public const string DatabaseName = "Payments";

    /// <summary>Payments' database (<c>ConnectionStrings:Payments</c>), options and the simulated provider.</summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMicroCommsDbContext<PaymentsDbContext>(configuration, DatabaseName);
        services.AddOptions<PaymentsOptions>()
            .Bind(configuration.GetSection(PaymentsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SimulatedPaymentProvider>();
        return services;
    }

    /// <summary>Payments' consumers on their fixed queues, charge-payment and refund-payment.</summary>
    public static IBusRegistrationConfigurator AddPayments(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<ChargePaymentConsumer, ChargePaymentConsumerDefinition>();
        x.AddConsumer<RefundPaymentConsumer, RefundPaymentConsumerDefinition>();
        // Database change, inbox row and outgoing messages of every Payments consumer commit together (the outbox).
        x.AddMicroCommsOutbox<PaymentsDbContext>();
        return x;
    }
}
