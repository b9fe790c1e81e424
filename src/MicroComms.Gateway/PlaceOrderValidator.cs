using MicroComms.Contracts;

namespace MicroComms.Gateway;

/// <summary>Shape checks at the edge: each bad field is named (e.g. <c>lines[1].quantity</c>) in the 400 answer.</summary>
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

            if (line.Quantity is not > 0)
            {
                errors[$"lines[{i}].quantity"] = ["Must be a whole number of at least 1."];
            }

            if (line.UnitPrice is not >= 0)
            {
                errors[$"lines[{i}].unitPrice"] = ["Must be zero or more."];
            }
        }

        return errors;
    }

    /// <summary>The command for a request that passed <see cref="Validate"/>.</summary>
    public static SubmitOrder ToCommand(PlaceOrderRequest request, Guid orderId) =>
        new(orderId, request.CustomerId!.Trim(), request.Lines!.Select(l => new OrderLine(l!.Sku!.Trim(), l.Quantity!.Value, l.UnitPrice!.Value)).ToList());
}
