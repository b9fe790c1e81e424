using System.Diagnostics;
using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Net.Client;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Gateway.Rpc;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests;

public sealed class GrpcFrontDoor_Specs
{
    [Fact]
    public async Task The_gRPC_front_door_answers_the_status_of_a_placed_order()
    {
        await using var host = await TestHosts.Everything();
        using var http = host.CreateClient();
        var orderId = Guid.NewGuid();
        await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(orderId, "bob", [new PlaceOrderLine("CB-505", 2, 4.5m)]));
        using var channel = GrpcChannel.ForAddress(http.BaseAddress!, new GrpcChannelOptions { HttpHandler = host.CreateHandler() });
        var client = new OrderQueries.OrderQueriesClient(channel);

        var reply = await client.GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = orderId.ToString() });

        Assert.Equal(orderId.ToString(), reply.OrderId);
        Assert.Equal("9.0", reply.Total);
        Assert.NotEmpty(reply.State);
    }

    [Fact]
    public async Task An_unknown_order_is_NOT_FOUND_and_a_malformed_id_INVALID_ARGUMENT()
    {
        await using var host = await TestHosts.Everything();
        using var http = host.CreateClient();
        using var channel = GrpcChannel.ForAddress(http.BaseAddress!, new GrpcChannelOptions { HttpHandler = host.CreateHandler() });
        var client = new OrderQueries.OrderQueriesClient(channel);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = Guid.NewGuid().ToString() }));
        var malformed = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = "not-a-guid" }));

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
    }

    [Fact]
    public async Task A_status_query_whose_send_never_completes_is_DEADLINE_EXCEEDED_within_the_bound()
    {
        await using var host = await TestHosts.Gateway(
            new()
            {
                ["MicroComms:Gateway:RequestTimeout"] = "00:00:00.200",
                ["MicroComms:Gateway:RequestTimeoutMargin"] = "00:00:00.100",
            },
            services => services.AddScoped(_ => NeverAnswers.Create<IRequestClient<GetOrderStatus>>()));
        using var http = host.CreateClient();
        using var channel = GrpcChannel.ForAddress(http.BaseAddress!, new GrpcChannelOptions { HttpHandler = host.CreateHandler() });
        var client = new OrderQueries.OrderQueriesClient(channel);

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = Guid.NewGuid().ToString() }).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        // Slack for a loaded machine over the 300 ms bound; without the bound the call would never end.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.3), $"answered after {clock.Elapsed}");
    }
}
