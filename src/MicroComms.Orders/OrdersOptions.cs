using System.ComponentModel.DataAnnotations;

namespace MicroComms.Orders;

/// <summary>Order validation limits and the workflow's timing, bound from <c>MicroComms:Orders</c>.</summary>
public sealed class OrdersOptions
{
    public const string SectionName = "MicroComms:Orders";

    [Range(1, 1_000)]
    public int MaxLines { get; set; } = 50;

    [Range(1, 1_000_000)]
    public int MaxQuantityPerLine { get; set; } = 1_000;

    /// <summary>
    /// How long an order with reserved stock waits for Payments before it faults and the stock is released.
    /// A payment that completes later is refunded.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages the order saga's endpoint handles at once; null leaves the transport's default (RabbitMQ: the prefetch count).</summary>
    [Range(1, 1_000)]
    public int? SagaConcurrentMessageLimit { get; set; }
}
