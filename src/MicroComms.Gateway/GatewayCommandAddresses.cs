namespace MicroComms.Gateway;

/// <summary>The queues the gateway sends its requests to (each has one owning service).</summary>
public static class GatewayCommandAddresses
{
    public static readonly Uri SubmitOrder = new("queue:submit-order");
    public static readonly Uri GetOrderStatus = new("queue:get-order-status");
    public static readonly Uri CheckStock = new("queue:check-stock");
}
