using MicroComms.Contracts;
using MicroComms.Orders;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// Orders' status query answered from the in-memory store: Orders' own handlers (bus consumer, HTTP endpoint, gRPC
/// service) run unchanged, and every row does the same one dictionary lookup that the raw RPC responder does.
/// </summary>
public sealed class StoreOrderStatusQuery(OrderStatusStore store) : IOrderStatusQuery
{
    public Task<OrderStatus?> FindAsync(Guid orderId, CancellationToken cancellationToken) => Task.FromResult(store.Find(orderId));
}
