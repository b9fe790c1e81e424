namespace MicroComms.Gateway;

/// <summary>The queues the gateway sends its requests to (each has one owning service).</summary>
public static class GatewayCommandAddresses
{
    public static readonly Uri SubmitOrder = new("queue:submit-order");
    public static readonly Uri GetOrderStatus = new("queue:get-order-status");
    /// <summary>CancelOrder goes to the order saga's own queue: the saga decides whether the order can still be cancelled.</summary>
    public static readonly Uri CancelOrder = new("queue:order-state");
    public static readonly Uri CheckStock = new("queue:check-stock");
}
