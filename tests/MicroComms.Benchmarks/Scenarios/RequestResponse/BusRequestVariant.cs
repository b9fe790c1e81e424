using MassTransit;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Messaging;
using MicroComms.Messaging.Serialization;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// MicroComms' IRequestClient over RabbitMQ, asking Orders on the queue the Gateway asks, with the same response types:
/// the Gateway rows minus their HTTP or gRPC leg. Both ends use AddMicroComms defaults and write
/// <paramref name="serializer"/>'s envelope: the caller here, the Orders that <paramref name="hosts"/> belong to through
/// their settings (a response is written in the responder's format).
/// </summary>
public sealed class BusRequestVariant(ServiceHosts hosts, SerializerKind serializer = SerializerKind.Json) : IRequestVariant
{
    /// <summary><c>MicroComms:Serializer</c>.</summary>
    public const string SerializerKey = $"{MicroCommsOptions.SectionName}:{nameof(MicroCommsOptions.Serializer)}";

    private IServiceScope? _scope;
    private IRequestClient<GetOrderStatus> _client = null!;

    public string Name => NameFor(serializer);

    /// <summary>The row's name: the JSON row keeps the name the goals and earlier runs use.</summary>
    public static string NameFor(SerializerKind serializer) =>
        serializer == SerializerKind.Json ? "MicroComms IRequestClient" : $"MicroComms IRequestClient, {serializer}";

    public async Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken)
    {
        var host = await hosts.StartHostAsync(
            (services, configuration) => services.AddMicroComms(configuration, x => x.AddRequestClient<GetOrderStatus>(GatewayCommandAddresses.GetOrderStatus)),
            cancellationToken,
            new Dictionary<string, string?> { [SerializerKey] = serializer.ToString() });
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
