using MicroComms.Contracts;

namespace MicroComms.Gateway;

/// <summary>
/// Checks at the edge, each bad field named (e.g. <c>lines[1].quantity</c>): the shape of the order (400), then
/// whether its amounts can be computed at all (422).
/// </summary>
public static class PlaceOrderValidator
{
    public static Dictionary<string, string[]> Validate(PlaceOrderRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["body"] = ["A JSON order is required."];
            return errors;
        }

        if (request.OrderId == Guid.Empty)
        {
            errors["orderId"] = ["Must not be the empty GUID (leave it out to have one assigned)."];
        }

        if (string.IsNullOrWhiteSpace(request.CustomerId))
        {
            errors["customerId"] = ["Required."];
        }
        else if (!Identifiers.IsValid(request.CustomerId.Trim()))
        {
            errors["customerId"] = [$"Must be {Identifiers.Rule}"];
        }

        if (request.Lines is null || request.Lines.Count == 0)
        {
            errors["lines"] = ["At least one line is required."];
            return errors;
        }

        for (var i = 0; i < request.Lines.Count; i++)
        {
            var line = request.Lines[i];
            if (line is null)
            {
                errors[$"lines[{i}]"] = ["Required."];
                continue;
            }

            if (string.IsNullOrWhiteSpace(line.Sku))
            {
                errors[$"lines[{i}].sku"] = ["Required."];
            }
            else if (!Identifiers.IsValid(line.Sku.Trim()))
            {
                errors[$"lines[{i}].sku"] = [$"Must be {Identifiers.Rule}"];
            }

            if (line.Quantity is not > 0)
            {
                errors[$"lines[{i}].quantity"] = ["Must be a whole number of at least 1."];
            }

            // The number as written: JSON's 1e-30 reads as a zero with 28 decimal places, which a check of the value would pass.
            if (line.UnitPrice is not { } price || price < 0 || price.Scale > Amounts.MaxDecimalPlaces)
            {
                errors[$"lines[{i}].unitPrice"] = [$"Must be zero or more, written with at most {Amounts.MaxDecimalPlaces} decimal places."];
            }
        }

        return errors;
    }

    /// <summary>
    /// For a request that passed <see cref="Validate"/>: each line total and the order total must be computable (a
    /// price near the largest decimal times a quantity is not), else Orders could only fail on it.
    /// </summary>
    public static Dictionary<string, string[]> ValidateAmounts(PlaceOrderRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var lineTotals = new List<decimal>();
        for (var i = 0; i < request.Lines!.Count; i++)
        {
            var line = request.Lines[i]!;
            if (Amounts.LineTotal(line.Quantity!.Value, line.UnitPrice!.Value) is { } lineTotal)
            {
                lineTotals.Add(lineTotal);
            }
            else
            {
                errors[$"lines[{i}]"] = ["quantity × unitPrice is too large."];
            }
        }

        if (errors.Count == 0 && Amounts.Total(lineTotals) is null)
        {
            errors["total"] = ["The sum of the lines is too large."];
        }

        return errors;
    }

    /// <summary>The command for a request that passed <see cref="Validate"/>.</summary>
    public static SubmitOrder ToCommand(PlaceOrderRequest request, Guid orderId) =>
        new(orderId, request.CustomerId!.Trim(), request.Lines!.Select(l => new OrderLine(l!.Sku!.Trim(), l.Quantity!.Value, l.UnitPrice!.Value)).ToList());
}
