using System.ComponentModel.DataAnnotations;

namespace MicroComms.Orders;

/// <summary>Order validation limits, bound from <c>MicroComms:Orders</c>.</summary>
public sealed class OrdersOptions
{
    public const string SectionName = "MicroComms:Orders";

    [Range(1, 1_000)]
    public int MaxLines { get; set; } = 50;

    [Range(1, 1_000_000)]
    public int MaxQuantityPerLine { get; set; } = 1_000;
}
