namespace MicroComms.Orders;

/// <summary>The queues Orders sends its commands to (each command has one owner and one queue).</summary>
public static class OrdersCommandAddresses
{
    public static readonly Uri ReserveStock = new("queue:reserve-stock");
    public static readonly Uri ReleaseStock = new("queue:release-stock");
    public static readonly Uri ChargePayment = new("queue:charge-payment");
    public static readonly Uri RefundPayment = new("queue:refund-payment");
}
