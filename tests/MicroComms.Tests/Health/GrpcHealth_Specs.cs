using Grpc.Health.V1;
using Grpc.Net.Client;
using MicroComms.Gateway.Rpc;
using MicroComms.Messaging.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MicroComms.Tests.Health;

/// <summary>The Gateway's grpc.health.v1 service answers from the checks <c>/health/ready</c> runs, at the moment it is asked.</summary>
public sealed class GrpcHealth_Specs
{
    [Fact]
    public async Task The_server_and_the_OrderQueries_service_are_SERVING_while_every_ready_check_passes()
    {
        await using var gateway = await TestHosts.Gateway();
        var health = Client(gateway);

        var server = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        var queries = await health.CheckAsync(new HealthCheckRequest { Service = OrderQueries.Descriptor.FullName });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, server.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, queries.Status);
    }

    [Fact]
    public async Task A_failing_ready_check_makes_the_server_NOT_SERVING()
    {
        await using var gateway = await TestHosts.Gateway(configureServices: s =>
            s.AddHealthChecks().AddCheck("always-down", () => HealthCheckResult.Unhealthy("down for the test"), [HealthTags.Ready]));
        var health = Client(gateway);

        var server = await health.CheckAsync(new HealthCheckRequest { Service = "" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, server.Status);
    }

    private static Grpc.Health.V1.Health.HealthClient Client(MicroComms.Testing.ServiceTestHost gateway)
    {
        var http = gateway.CreateClient();
        var channel = GrpcChannel.ForAddress(http.BaseAddress!, new GrpcChannelOptions { HttpHandler = gateway.CreateHandler() });
        return new Grpc.Health.V1.Health.HealthClient(channel);
    }
}
