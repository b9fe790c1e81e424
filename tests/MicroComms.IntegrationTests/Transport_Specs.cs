using MassTransit;
using MicroComms.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.IntegrationTests;

[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class Transport_Specs(BrokerFixture broker)
{
    [Fact]
    public async Task A_message_sent_through_MicroComms_over_RabbitMQ_is_consumed()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("transport");
        try
        {
            var received = new TaskCompletionSource<Ping>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var host = BuildHost(broker.Node.Settings(vhost), services => services.AddSingleton(received));
            await host.StartAsync();

            var bus = host.Services.GetRequiredService<IBus>();
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:ping"));
            await endpoint.Send(new Ping("hello"));

            var ping = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("hello", ping.Text);
            await host.StopAsync();
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task An_unreachable_broker_stops_start_up_with_a_message_naming_host_and_port()
    {
        var settings = broker.Node.Settings("microcomms");
        settings["MicroComms:RabbitMq:Port"] = "1";
        settings["MicroComms:RabbitMq:ConnectTimeout"] = "00:00:02";
        using var host = BuildHost(settings, _ => { });

        var error = await Assert.ThrowsAsync<BrokerUnreachableException>(() => host.StartAsync());

        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("rabbitmq/start.sh", error.Message, StringComparison.Ordinal);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings, Action<IServiceCollection> extra)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        extra(builder.Services);
        builder.Services.AddMicroComms(builder.Configuration, x => x.AddConsumer<PingConsumer>());
        return builder.Build();
    }

    public sealed record Ping(string Text);

    public sealed class PingConsumer(TaskCompletionSource<Ping> received) : IConsumer<Ping>
    {
        public Task Consume(ConsumeContext<Ping> context)
        {
            received.TrySetResult(context.Message);
            return Task.CompletedTask;
        }
    }
}
