namespace MicroComms.Contracts;

/// <summary>
/// What a price or an amount may be, one rule for the gateway and Orders: zero or more, in whole cents, and small
/// enough that quantity times price, and the sum of an order's lines, can be computed at all.
/// </summary>
public static class Amounts
{
    /// <summary>Prices are in whole cents; a smaller fraction is a mistake, not a price.</summary>
    public const int MaxDecimalPlaces = 2;

    public static bool IsValidPrice(decimal price) => price >= 0 && decimal.Round(price, MaxDecimalPlaces) == price;

    /// <summary>quantity × unitPrice, or null where it exceeds what a decimal holds.</summary>
    public static decimal? LineTotal(int quantity, decimal unitPrice)
    {
        // Decimal arithmetic always checks; a bound computed by division would round near the limit.
        try
        {
            return quantity * unitPrice;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>The order total of these line totals, or null where it exceeds what a decimal holds.</summary>
    public static decimal? Total(IEnumerable<decimal> lineTotals)
    {
        try
        {
            return lineTotals.Sum();
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
