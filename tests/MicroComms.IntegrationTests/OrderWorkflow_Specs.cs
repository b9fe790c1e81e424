using System.Net;
using System.Net.Http.Json;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Orders;
using MicroComms.Testing;

namespace MicroComms.IntegrationTests;

[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class OrderWorkflow_Specs(BrokerFixture broker)
{
    private static readonly string[] Skus = ["KB-101", "MS-202", "MN-303"];

    [Fact]
    public async Task Every_order_through_the_gateway_ends_completed_or_faulted_and_faulted_orders_leave_stock_as_it_was()
    {
        const int Orders = 40;
        var vhost = await broker.Node.CreateVirtualHostAsync("order-workflow");
        var data = TestFiles.Path($"order-workflow-{Guid.NewGuid():N}");
        try
        {
            // One process per service, as in production; they share only the broker and the scheduler's table.
            await using var fleet = await ServiceFleet.StartAsync(data, service =>
            {
                var settings = broker.Node.Settings(vhost);
                settings["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(data, "scheduler.db")}";
                settings["MicroComms:Payments:TransientFailureRate"] = "0.3";
                settings["MicroComms:Payments:DeclineAbove"] = "500";
                settings["MicroComms:Orders:PaymentTimeout"] = "00:01:00";
                settings["MicroComms:Retry:MinInterval"] = "00:00:00.010";
                settings["MicroComms:Retry:MaxInterval"] = "00:00:00.100";
                settings["MicroComms:Retry:IntervalDelta"] = "00:00:00.010";
                settings["Logging:LogLevel:Default"] = "Warning";
                return settings;
            });

            using var http = new HttpClient { BaseAddress = fleet.GatewayAddress };
            var before = new Dictionary<string, int>();
            foreach (var sku in Skus)
            {
                before[sku] = (await http.GetFromJsonAsync<StockLevel>($"/stock/{sku}"))!.Available;
            }

            var placed = new List<(Guid Id, string Sku, int Quantity)>();
            for (var i = 0; i < Orders; i++)
            {
                var sku = Skus[i % Skus.Length];
                var quantity = 1 + (i % 4);
                var price = i % 5 == 0 ? 400m : 20m;   // every fifth order is above DeclineAbove from 2 items on
                var id = Guid.NewGuid();
                using var response = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(id, "alice", [new PlaceOrderLine(sku, quantity, price)]));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                placed.Add((id, sku, quantity));
            }

            var final = new Dictionary<Guid, OrderStatus>();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (final.Count < placed.Count && DateTime.UtcNow < deadline)
            {
                foreach (var order in placed.Where(o => !final.ContainsKey(o.Id)))
                {
                    var status = await http.GetFromJsonAsync<OrderStatus>($"/orders/{order.Id}");
                    if (status is not null && OrderStates.IsFinal(status.State))
                    {
                        final[order.Id] = status;
                    }
                }

                await Task.Delay(200);
            }

            Assert.Equal(placed.Count, final.Count);
            Assert.All(final.Values, s => Assert.Contains(s.State, new[] { OrderStates.Completed, OrderStates.Faulted }));
            Assert.Contains(final.Values, s => s.State == OrderStates.Faulted);
            Assert.Contains(final.Values, s => s.State == OrderStates.Completed);

            // Faulted orders gave their stock back: what is missing is exactly what completed orders bought.
            foreach (var sku in Skus)
            {
                var bought = placed.Where(o => o.Sku == sku && final[o.Id].State == OrderStates.Completed).Sum(o => o.Quantity);
                var deadlineStock = DateTime.UtcNow.AddSeconds(15);
                int available;
                do
                {
                    available = (await http.GetFromJsonAsync<StockLevel>($"/stock/{sku}"))!.Available;
                    if (available == before[sku] - bought)
                    {
                        break;
                    }

                    await Task.Delay(100);
                }
                while (DateTime.UtcNow < deadlineStock);

                Assert.Equal(before[sku] - bought, available);
            }
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }
}
