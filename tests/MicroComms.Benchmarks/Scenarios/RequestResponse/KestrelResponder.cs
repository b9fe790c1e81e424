using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// One Kestrel on 127.0.0.1 answering GET /orders/{id} over HTTP/1.1 on one port and GetOrderStatus over gRPC h2c on
/// another, both from the same store.
/// </summary>
public sealed class KestrelResponder : IAsyncDisposable
{
    private WebApplication? _app;

    public int HttpPort { get; private set; }

    public int GrpcPort { get; private set; }

    public async Task StartAsync(OrderStatusStore store, CancellationToken cancellationToken)
    {
        HttpPort = FreeLoopbackPort();
        GrpcPort = FreeLoopbackPort();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, HttpPort, l => l.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, GrpcPort, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton(store);
        builder.Services.AddGrpc();
        _app = builder.Build();
        _app.MapGet("/orders/{orderId:guid}", (Guid orderId, OrderStatusStore orders) =>
            orders.Find(orderId) is { } status ? Results.Ok(status) : Results.NotFound());
        _app.MapGrpcService<OrderStatusGrpcService>();
        await _app.StartAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
