using MicroComms.Contracts;

namespace MicroComms.Orders;

/// <summary>
/// Where an order stands: the one query behind every way Orders answers GetOrderStatus, over the bus
/// (<see cref="GetOrderStatusConsumer"/>) and directly (<c>GET /internal/orders/{id}</c>, gRPC
/// <c>OrderStatusQueries</c>). An interface so that the benchmark can answer from memory through the same handlers
/// and compare transports rather than databases.
/// </summary>
public interface IOrderStatusQuery
{
    /// <summary>The order's status, or null when Orders does not know the order.</summary>
    Task<OrderStatus?> FindAsync(Guid orderId, CancellationToken cancellationToken);
}
