namespace MicroComms.Contracts;

/// <summary>
/// The queues commands and requests are sent to, one owner each: the receiver names its endpoint with these and the
/// sender addresses them (<c>queue:&lt;name&gt;</c>), so the two sides cannot drift apart.
/// </summary>
public static class QueueNames
{
    public const string SubmitOrder = "submit-order";
    public const string GetOrderStatus = "get-order-status";

    /// <summary>The order saga's queue: CancelOrder is sent here, the events it answers are subscribed to it.</summary>
    public const string OrderState = "order-state";

    public const string ReserveStock = "reserve-stock";
    public const string ReleaseStock = "release-stock";
    public const string CheckStock = "check-stock";
    public const string ChargePayment = "charge-payment";
    public const string RefundPayment = "refund-payment";
}
