using MicroComms.Gateway;

namespace MicroComms.Host.Demo;

/// <summary>Builds the demo's order mix: mostly valid orders, and every so often one of each kind that must not complete.</summary>
public static class DemoOrderFactory
{
    private static readonly string[] Skus = ["KB-101", "MS-202", "MN-303", "HD-404", "CB-505"];
    private static readonly string[] Customers = ["alice", "bob", "carol", "dave", "erin"];

    public static IReadOnlyList<DemoOrder> Create(DemoOptions options, decimal declineAbove)
    {
        var random = new Random(options.Seed);
        var orders = new List<DemoOrder>(options.Orders);
        for (var i = 0; i < options.Orders; i++)
        {
            var kind = (i % options.SpecialEvery) switch
            {
                var r when r == options.SpecialEvery - 3 => DemoOrderKind.BadInput,
                var r when r == options.SpecialEvery - 2 => DemoOrderKind.UnknownCustomer,
                var r when r == options.SpecialEvery - 1 => DemoOrderKind.Declined,
                _ => DemoOrderKind.Normal,
            };
            var lines = Enumerable.Range(0, random.Next(1, 4))
                .Select(n => Skus[(i + n) % Skus.Length])
                .Select(sku => new PlaceOrderLine(sku, random.Next(1, 4), random.Next(5, 100)))
                .ToList();
            var customer = Customers[random.Next(Customers.Length)];
            switch (kind)
            {
                case DemoOrderKind.BadInput:
                    lines[0] = lines[0] with { Quantity = 0 };
                    break;
                case DemoOrderKind.UnknownCustomer:
                    customer = "mallory";
                    break;
                case DemoOrderKind.Declined:
                    lines[0] = lines[0] with { Quantity = 1, UnitPrice = declineAbove + 1 };
                    break;
            }

            orders.Add(new DemoOrder(i + 1, kind, new PlaceOrderRequest(Guid.NewGuid(), customer, lines)));
        }

        return orders;
    }
}
