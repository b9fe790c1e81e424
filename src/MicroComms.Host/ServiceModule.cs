using MassTransit;

namespace MicroComms.Host;

/// <summary>
/// One service as a process hosts it: the name <c>--services</c> takes, its registration pair
/// (<c>services.AddX(configuration)</c> and <c>x.AddX()</c>), the connection-string name of its database (none for
/// the Gateway) and its HTTP endpoints (none for a service that only consumes).
/// </summary>
public sealed record ServiceModule(
    string Name,
    Action<IServiceCollection, IConfiguration> AddServices,
    Action<IBusRegistrationConfigurator> AddBus,
    string? DatabaseName = null,
    Action<IEndpointRouteBuilder>? MapEndpoints = null);
