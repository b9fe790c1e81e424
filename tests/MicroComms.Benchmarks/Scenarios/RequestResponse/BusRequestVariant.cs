using MassTransit;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Messaging;
using MicroComms.Messaging.Serialization;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// MicroComms' IRequestClient over RabbitMQ, asking the responder on the queue the Gateway asks, with the same
/// response types: the Gateway rows minus their HTTP or gRPC leg. Both ends use AddMicroComms defaults. With the
/// MessagePack envelope, both ends write it: the variant starts its own responder on a queue of its own.
/// </summary>
public sealed class BusRequestVariant(ServiceHosts hosts, SerializerKind serializer = SerializerKind.Json) : IRequestVariant
{
    private IServiceScope? _scope;
    private IRequestClient<GetOrderStatus> _client = null!;

    public const string MessagePackQueue = QueueNames.GetOrderStatus + "-msgpack";

    public string Name => serializer == SerializerKind.Json ? "MicroComms IRequestClient" : $"MicroComms IRequestClient, {serializer}";

    public async Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        var writes = new Dictionary<string, string?> { ["MicroComms:Serializer"] = serializer.ToString() };
        var address = GatewayCommandAddresses.GetOrderStatus;
        if (serializer != SerializerKind.Json)
        {
            address = new Uri($"queue:{MessagePackQueue}");
            await hosts.StartHostAsync((services, configuration) =>
            {
                services.AddSingleton(store);
                services.AddMicroComms(configuration, x => x.AddConsumer<GetOrderStatusConsumer>().Endpoint(e => e.Name = MessagePackQueue));
            }, cancellationToken, writes);
        }

        var host = await hosts.StartHostAsync((services, configuration) =>
            services.AddMicroComms(configuration, x => x.AddRequestClient<GetOrderStatus>(address)), cancellationToken, writes);
        _scope = host.Services.CreateScope();
        _client = _scope.ServiceProvider.GetRequiredService<IRequestClient<GetOrderStatus>>();
    }

    public async Task CallAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var response = await _client.GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(orderId), cancellationToken);
        if (!response.Is(out Response<OrderStatus>? status) || status.Message.OrderId != orderId)
        {
            throw new InvalidOperationException($"Asked for order {orderId}, got {response.Message}.");
        }
    }

    public ValueTask DisposeAsync()
    {
        // The host itself belongs to the scenario's ServiceHosts, which stops it.
        _scope?.Dispose();
        return ValueTask.CompletedTask;
    }
}
