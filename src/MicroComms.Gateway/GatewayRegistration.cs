using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway.Rpc;
using MicroComms.Messaging.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

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
        services.AddOpenApi(o => o.AddDocumentTransformer<GatewayOpenApi>());
        services.AddGrpc();

        // grpc.health.v1 answers for the whole server ("") and for OrderQueries with the checks /health/ready runs.
        services.AddGrpcHealthChecks(o =>
        {
            o.Services.Map("", r => r.Tags.Contains(HealthTags.Ready));
            o.Services.Map(OrderQueries.Descriptor.FullName, r => r.Tags.Contains(HealthTags.Ready));
        });
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

    /// <summary>
    /// REST endpoints, the OpenAPI document at <c>/openapi/v1.json</c> and its reference page at <c>/scalar/v1</c>, the
    /// gRPC service and gRPC health.
    /// </summary>
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();

        // The page's scripts come from the package; fonts, telemetry and the AI agent would call Scalar's servers.
        app.MapScalarApiReference(o => o
            .WithTitle(GatewayOpenApi.Title)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
        app.MapOrderEndpoints();
        app.MapStockEndpoints();
        app.MapGrpcService<OrderQueriesService>();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
