using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Host;
using MicroComms.Orders;
using MicroComms.Orders.DirectCalls.Rpc;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using GatewayRpc = MicroComms.Gateway.Rpc;

namespace MicroComms.Tests;

/// <summary>
/// Orders answering GetOrderStatus directly, no bus: <c>GET /internal/orders/{id}</c> and the gRPC service
/// OrderStatusQueries, both from the query the bus consumer asks.
/// </summary>
public sealed class OrdersDirectCalls_Specs
{
    private static readonly OrderLine Keyboard = new("KB-101", 2, 50m);

    [Fact]
    public async Task A_stored_order_is_answered_over_HTTP_exactly_as_the_bus_answers_it()
    {
        await using var host = await TestHosts.Orders();
        var orderId = NewId.NextGuid();
        await PlaceAsync(host, orderId);
        using var http = host.CreateClient();

        var direct = await http.GetFromJsonAsync<OrderStatus>($"/internal/orders/{orderId}");
        var overBus = await host.Harness.Bus.CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"))
            .GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(orderId));

        Assert.NotNull(direct);
        Assert.Equal(100m, direct.Total);
        Assert.True(overBus.Is(out Response<OrderStatus>? status));
        Assert.Equal(status.Message, direct);
    }

    [Fact]
    public async Task An_unknown_order_over_HTTP_is_a_404_problem()
    {
        await using var host = await TestHosts.Orders();
        using var http = host.CreateClient();

        using var response = await http.GetAsync($"/internal/orders/{Guid.NewGuid()}");

        await Gateway_Specs.AssertProblem(response, StatusCodes.Status404NotFound);
    }

    [Fact]
    public async Task A_malformed_id_over_HTTP_is_a_400_problem_naming_the_id()
    {
        await using var host = await TestHosts.Orders();
        using var http = host.CreateClient();

        using var response = await http.GetAsync("/internal/orders/not-a-guid");

        await Gateway_Specs.AssertProblem(response, StatusCodes.Status400BadRequest);
        Assert.Contains("\"id\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_order_is_answered_over_gRPC_with_its_state_total_and_times()
    {
        await using var host = await TestHosts.Orders();
        var orderId = NewId.NextGuid();
        await PlaceAsync(host, orderId);
        using var http = host.CreateClient();
        using var channel = GrpcChannel.ForAddress(http.BaseAddress!, new GrpcChannelOptions { HttpHandler = host.CreateHandler() });

        var reply = await new OrderStatusQueries.OrderStatusQueriesClient(channel)
            .GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = orderId.ToString() });

        var overHttp = await http.GetFromJsonAsync<OrderStatus>($"/internal/orders/{orderId}");
        Assert.Equal(orderId.ToString(), reply.OrderId);
        Assert.Equal(overHttp!.State, reply.State);
        Assert.Equal("100", reply.Total);
        Assert.Equal(overHttp.SubmittedAt, reply.SubmittedAt.ToDateTimeOffset());
        Assert.False(reply.HasReason);
        Assert.Null(reply.FinishedAt);
    }

    [Fact]
    public async Task An_unknown_order_over_gRPC_is_NOT_FOUND_and_a_malformed_id_INVALID_ARGUMENT()
    {
        await using var host = await TestHosts.Orders();
        using var http = host.CreateClient();
        using var channel = GrpcChannel.ForAddress(http.BaseAddress!, new GrpcChannelOptions { HttpHandler = host.CreateHandler() });
        var client = new OrderStatusQueries.OrderStatusQueriesClient(channel);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = Guid.NewGuid().ToString() }));
        var malformed = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = "not-a-guid" }));

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
    }

    [Fact]
    public async Task A_process_running_only_orders_serves_both_direct_calls_on_its_HTTP_and_h2c_ports()
    {
        await using var process = await StartAsync("orders");

        // A 400 only the endpoint gives (a path nothing serves is a 404 problem too).
        using var response = await process.Http.GetAsync("/internal/orders/not-a-guid");
        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await new OrderStatusQueries.OrderStatusQueriesClient(process.Grpc)
                .GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = Guid.NewGuid().ToString() }));

        await Gateway_Specs.AssertProblem(response, StatusCodes.Status400BadRequest);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task In_the_all_in_one_process_the_Gateway_and_Orders_answer_the_same_order_on_their_own_routes_and_services()
    {
        await using var process = await StartAsync("all");
        var orderId = Guid.NewGuid();
        using var placed = await process.Http.PostAsJsonAsync("/orders", new PlaceOrderRequest(orderId, "alice", [new PlaceOrderLine("KB-101", 1, 10m)]));
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);

        var gateway = await process.Http.GetFromJsonAsync<OrderStatus>($"/orders/{orderId}");
        var direct = await process.Http.GetFromJsonAsync<OrderStatus>($"/internal/orders/{orderId}");
        var gatewayRpc = await new GatewayRpc.OrderQueries.OrderQueriesClient(process.Grpc)
            .GetOrderStatusAsync(new GatewayRpc.GetOrderStatusRequest { OrderId = orderId.ToString() });
        var directRpc = await new OrderStatusQueries.OrderStatusQueriesClient(process.Grpc)
            .GetOrderStatusAsync(new GetOrderStatusRequest { OrderId = orderId.ToString() });

        Assert.Equal(orderId, gateway!.OrderId);
        Assert.Equal(orderId, direct!.OrderId);
        Assert.Equal(orderId.ToString(), gatewayRpc.OrderId);
        Assert.Equal(orderId.ToString(), directRpc.OrderId);
    }

    /// <summary>
    /// Places an order and waits for its saga's row: from then on its status stays put (nothing answers the saga's
    /// ReserveStock in an Orders-only host), so reads one after another see one state.
    /// </summary>
    private static async Task PlaceAsync(ServiceTestHost host, Guid orderId)
    {
        await Orders_Specs.Submit(host.Harness, new SubmitOrder(orderId, "dave", [Keyboard]));
        await Poll.Until(() => host.InScopeAsync<OrdersDbContext, bool>(db => db.OrderSagas.AnyAsync(s => s.CorrelationId == orderId)));
    }

    /// <summary>A process as the <c>microcomms</c> executable composes it, on Kestrel at 127.0.0.1 and the in-memory transport.</summary>
    private static async Task<Process> StartAsync(string services)
    {
        var data = TestFiles.Path($"direct-calls-{Guid.NewGuid():N}");
        var grpc = new Uri($"http://127.0.0.1:{FreePort()}");
        var app = MicroCommsApp.Build(new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Host:Services"] = services,
            ["MicroComms:Host:DataDirectory"] = data,
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = grpc.ToString(),
            ["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(data, "scheduler.db")}",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await app.StartAsync();
        return new Process(app, new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(app)[0] }, GrpcChannel.ForAddress(grpc));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Process(WebApplication App, HttpClient Http, GrpcChannel Grpc) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Grpc.Dispose();
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
