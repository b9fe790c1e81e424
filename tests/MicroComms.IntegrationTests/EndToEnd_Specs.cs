using System.Net;
using System.Net.Http.Json;
using MicroComms.Contracts;
using MicroComms.Gateway;
using MicroComms.Host;

namespace MicroComms.IntegrationTests;

[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class EndToEnd_Specs(BrokerFixture broker)
{
    private static readonly TimeSpan FinalStateTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task An_order_placed_over_HTTP_completes_with_every_service_in_its_own_host_over_RabbitMQ()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("e2e");
        try
        {
            await using var processes = new ServiceProcesses(broker.Node, vhost);
            foreach (var service in ServiceNames.All.Where(s => s != ServiceNames.Gateway))
            {
                await processes.StartAsync(service);
            }

            var gateway = await processes.StartAsync(ServiceNames.Gateway);
            using var http = new HttpClient { BaseAddress = MicroCommsApp.HttpAddresses(gateway)[0] };

            var placed = await http.PostAsJsonAsync("/orders", new PlaceOrderRequest(null, "alice", [new PlaceOrderLine("KB-101", 2, 25m)]));
            Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);

            var status = await WaitForFinalStateAsync(http, placed.Headers.Location!);
            Assert.Equal("Completed", status.State);
            Assert.Equal(50m, status.Total);
            var stock = await http.GetFromJsonAsync<StockLevel>("/stock/KB-101");
            Assert.Equal(2, stock!.Reserved);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    private static async Task<OrderStatus> WaitForFinalStateAsync(HttpClient http, Uri location)
    {
        using var timeout = new CancellationTokenSource(FinalStateTimeout);
        while (true)
        {
            var status = await http.GetFromJsonAsync<OrderStatus>(location, timeout.Token);
            if (status!.State is "Completed" or "Faulted")
            {
                return status;
            }

            await Task.Delay(PollInterval, timeout.Token);
        }
    }
}
