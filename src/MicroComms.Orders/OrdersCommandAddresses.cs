using MicroComms.Contracts;

namespace MicroComms.Orders;

/// <summary>The queues Orders sends its commands to (each command has one owner and one queue).</summary>
public static class OrdersCommandAddresses
{
    public static readonly Uri ReserveStock = new($"queue:{QueueNames.ReserveStock}");
    public static readonly Uri ReleaseStock = new($"queue:{QueueNames.ReleaseStock}");
    public static readonly Uri ChargePayment = new($"queue:{QueueNames.ChargePayment}");
    public static readonly Uri RefundPayment = new($"queue:{QueueNames.RefundPayment}");
}
