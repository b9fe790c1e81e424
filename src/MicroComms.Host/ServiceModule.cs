using MassTransit;
using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Host;

/// <summary>
/// One service as a process hosts it: the name <c>--services</c> takes, its registration pair
/// (<c>services.AddX(configuration)</c> and <c>x.AddX()</c>), the connection-string name of its database (none for
/// the Gateway), its HTTP endpoints (none for a service that only consumes), how a command opens its database's
/// context on a store (<c>db migrate</c>, <c>db script</c>) and whether it serves gRPC (then the process listens on
/// <c>MicroComms:Host:GrpcUrl</c>, h2c).
/// </summary>
public sealed record ServiceModule(
    string Name,
    Action<IServiceCollection, IConfiguration> AddServices,
    Action<IBusRegistrationConfigurator> AddBus,
    string? DatabaseName = null,
    Action<IEndpointRouteBuilder>? MapEndpoints = null,
    Func<StoreKind, string, DbContext>? OpenDatabase = null,
    bool ServesGrpc = false);
