using MassTransit;
using MicroComms.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Gateway;

public static class GatewayRegistration
{
    /// <summary>The gateway's options, problem details, OpenAPI document and gRPC server.</summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>()
            .Bind(configuration.GetSection(GatewayOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddGrpc();
        return services;
    }

    /// <summary>The request clients the gateway uses, each pointed at its service's queue.</summary>
    public static IBusRegistrationConfigurator AddGateway(this IBusRegistrationConfigurator x)
    {
        x.AddRequestClient<SubmitOrder>(GatewayCommandAddresses.SubmitOrder);
        x.AddRequestClient<GetOrderStatus>(GatewayCommandAddresses.GetOrderStatus);
        x.AddRequestClient<CancelOrder>(GatewayCommandAddresses.CancelOrder);
        x.AddRequestClient<CheckStock>(GatewayCommandAddresses.CheckStock);
        return x;
    }

    /// <summary>REST endpoints, the OpenAPI document at <c>/openapi/v1.json</c> and the gRPC service.</summary>
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapOrderEndpoints();
        app.MapStockEndpoints();
        app.MapGrpcService<OrderQueriesService>();
        return app;
    }
}
