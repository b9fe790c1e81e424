using MicroComms.Contracts;
using Microsoft.Extensions.Options;

namespace MicroComms.Orders;

/// <summary>The rules an order must meet before Orders accepts it; answers the first reason it is refused.</summary>
public sealed class OrderValidator(IOptions<OrdersOptions> options)
{
    public string? FindProblem(SubmitOrder order, bool customerKnown)
    {
        var limits = options.Value;
        if (order.OrderId == Guid.Empty)
        {
            return "The order id is empty.";
        }

        if (string.IsNullOrWhiteSpace(order.CustomerId))
        {
            return "The customer id is empty.";
        }

        if (!Identifiers.IsValid(order.CustomerId))
        {
            return $"The customer id must be {Identifiers.Rule}";
        }

        if (!customerKnown)
        {
            return $"Customer '{order.CustomerId}' is not known.";
        }

        if (order.Lines is null || order.Lines.Count == 0)
        {
            return "The order has no lines.";
        }

        if (order.Lines.Count > limits.MaxLines)
        {
            return $"The order has {order.Lines.Count} lines; at most {limits.MaxLines} are allowed.";
        }

        for (var i = 0; i < order.Lines.Count; i++)
        {
            var line = order.Lines[i];
            if (line is null || string.IsNullOrWhiteSpace(line.Sku))
            {
                return $"Line {i + 1} has no SKU.";
            }

            if (!Identifiers.IsValid(line.Sku))
            {
                return $"Line {i + 1} has a SKU that is not {Identifiers.Rule}";
            }

            if (line.Quantity <= 0 || line.Quantity > limits.MaxQuantityPerLine)
            {
                return $"Line {i + 1} ({line.Sku}) has quantity {line.Quantity}; it must be between 1 and {limits.MaxQuantityPerLine}.";
            }

            if (line.UnitPrice < 0)
            {
                return $"Line {i + 1} ({line.Sku}) has a negative unit price.";
            }

            if (!Amounts.IsValidPrice(line.UnitPrice))
            {
                return $"Line {i + 1} ({line.Sku}) has a unit price with more than {Amounts.MaxDecimalPlaces} decimal places.";
            }

            if (Amounts.LineTotal(line.Quantity, line.UnitPrice) is null)
            {
                return $"Line {i + 1} ({line.Sku}): quantity times unit price is too large to compute.";
            }
        }

        if (Amounts.Total(order.Lines.Select(l => l.Quantity * l.UnitPrice)) is null)
        {
            return "The order total is too large to compute.";
        }

        if (order.Lines.GroupBy(l => l.Sku, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
        {
            return "The same SKU appears on more than one line.";
        }

        return null;
    }
}
