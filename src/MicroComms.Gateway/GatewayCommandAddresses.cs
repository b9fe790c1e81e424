using MicroComms.Contracts;

namespace MicroComms.Gateway;

/// <summary>The queues the gateway sends its requests to (each has one owning service).</summary>
public static class GatewayCommandAddresses
{
    public static readonly Uri SubmitOrder = new($"queue:{QueueNames.SubmitOrder}");
    public static readonly Uri GetOrderStatus = new($"queue:{QueueNames.GetOrderStatus}");
    /// <summary>CancelOrder goes to the order saga's own queue: the saga decides whether the order can still be cancelled.</summary>
    public static readonly Uri CancelOrder = new($"queue:{QueueNames.OrderState}");
    public static readonly Uri CheckStock = new($"queue:{QueueNames.CheckStock}");
}
