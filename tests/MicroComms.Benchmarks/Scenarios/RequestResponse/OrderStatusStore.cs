using MicroComms.Contracts;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// The responder's work in every request-response variant: one dictionary lookup, so the rows compare transports,
/// not handlers.
/// </summary>
public sealed class OrderStatusStore
{
    private const int Orders = 1_000;

    private readonly Dictionary<Guid, OrderStatus> _orders;
    private readonly Guid[] _ids;

    public OrderStatusStore()
    {
        var submitted = DateTimeOffset.UtcNow.AddMinutes(-5);
        _orders = Enumerable.Range(0, Orders)
            .Select(i => new OrderStatus(Guid.NewGuid(), "Completed", null, 59.97m + i, submitted, submitted.AddSeconds(2)))
            .ToDictionary(o => o.OrderId);
        _ids = [.. _orders.Keys];
    }

    public Guid PickId() => _ids[Random.Shared.Next(_ids.Length)];

    public OrderStatus? Find(Guid orderId) => _orders.GetValueOrDefault(orderId);
}
