using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging;

public static class MicroCommsRegistration
{
    /// <summary>
    /// Registers the bus with MicroComms' conventions: the transport chosen by <c>MicroComms:Transport</c>,
    /// kebab-case endpoint names, the default retry policy on every endpoint, and whatever
    /// <paramref name="configure"/> registers (each service's <c>x.AddOrders()</c> and the like).
    /// </summary>
    public static IServiceCollection AddMicroComms(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<IBusRegistrationConfigurator> configure)
    {
        var section = configuration.GetSection(MicroCommsOptions.SectionName);
        services.AddOptions<MicroCommsOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RabbitMqOptions>().Bind(section.GetSection("RabbitMq")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetryOptions>().Bind(section.GetSection("Retry")).ValidateDataAnnotations().ValidateOnStart();

        var transport = section.GetValue(nameof(MicroCommsOptions.Transport), TransportKind.InMemory);
        if (transport == TransportKind.RabbitMq)
        {
            services.AddHostedService<BrokerStartupCheck>();
        }

        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
                endpoint.UseMicroCommsRetry(context.GetRequiredService<IOptions<RetryOptions>>().Value));

            configure(x);

            if (transport == TransportKind.RabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    var o = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                    cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, h =>
                    {
                        h.Username(o.Username);
                        h.Password(o.Password);
                        h.PublisherConfirmation = true;
                    });
                    cfg.PrefetchCount = o.PrefetchCount;
                    if (o.ConcurrentMessageLimit is { } limit)
                    {
                        cfg.ConcurrentMessageLimit = limit;
                    }

                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });

        return services;
    }

    /// <summary>Immediate retries, exponential and bounded, never for failures retrying cannot fix.</summary>
    public static void UseMicroCommsRetry(this IReceiveEndpointConfigurator endpoint, RetryOptions retry)
    {
        if (retry.ImmediateLimit == 0)
        {
            return;
        }

        endpoint.UseMessageRetry(r =>
        {
            r.Exponential(retry.ImmediateLimit, retry.MinInterval, retry.MaxInterval, retry.IntervalDelta);
            r.Ignore<PermanentFailureException>();
            r.Ignore<ValidationException>();
        });
    }
}
