using MassTransit;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Contracts;
using MicroComms.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>MicroComms' IRequestClient over RabbitMQ, responder in the same process, both with AddMicroComms defaults.</summary>
public sealed class BusRequestVariant : IRequestVariant
{
    private IHost? _host;
    private IServiceScope? _scope;
    private IRequestClient<GetOrderStatus> _client = null!;

    public string Name => "MicroComms IRequestClient";

    public async Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        _host = BenchHost.Build(context.Node.Settings(virtualHost), (services, configuration) =>
        {
            services.AddSingleton(store);
            services.AddMicroComms(configuration, x =>
            {
                x.AddConsumer<GetOrderStatusConsumer>();
                x.AddRequestClient<GetOrderStatus>();
            });
        });
        await _host.StartAsync(cancellationToken);
        _scope = _host.Services.CreateScope();
        _client = _scope.ServiceProvider.GetRequiredService<IRequestClient<GetOrderStatus>>();
    }

    public async Task CallAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var response = await _client.GetResponse<OrderStatus>(new GetOrderStatus(orderId), cancellationToken);
        if (response.Message.OrderId != orderId)
        {
            throw new InvalidOperationException($"Asked for order {orderId}, got {response.Message.OrderId}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _scope?.Dispose();
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}
