using MicroComms.Testing;
using Microsoft.Extensions.Options;

namespace MicroComms.Tests;

public sealed class Options_Specs
{
    [Theory]
    [InlineData("MicroComms:Retry:RedeliveryIntervals:0", "-00:00:05")]
    [InlineData("MicroComms:Retry:MaxInterval", "00:00:00")]
    [InlineData("MicroComms:Scheduler:QueueName", "Not A Queue")]
    [InlineData("MicroComms:Scheduler:BatchSize", "0")]
    [InlineData("MicroComms:StopTimeout", "00:00:00")]
    public async Task Invalid_settings_stop_start_up_naming_the_setting(string key, string value)
    {
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings[key] = value;
        using var host = MicroCommsTestHost.Build(settings, _ => { }, _ => { });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(key.Split(':')[^1] == "0" ? "RedeliveryIntervals" : key.Split(':')[^1], error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:notaport")]
    [InlineData("127.0.0.1:70000")]
    [InlineData(":5701")]
    public async Task A_node_that_is_not_host_or_host_and_port_stops_start_up_naming_it(string node)
    {
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings["MicroComms:RabbitMq:Hosts:0"] = "127.0.0.1:5701";
        settings["MicroComms:RabbitMq:Hosts:1"] = node;
        using var host = MicroCommsTestHost.Build(settings, _ => { }, _ => { });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"'{node}' is not host or host:port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_nodes_are_the_hosts_list_in_order_with_the_port_as_default_else_host_and_port()
    {
        var single = new Messaging.RabbitMqOptions { Host = "broker", Port = 5673 };
        var cluster = new Messaging.RabbitMqOptions { Port = 5680, Hosts = ["10.0.0.2:5701", "node-b", " 10.0.0.4:5703 "] };

        Assert.Equal([("broker", 5673)], single.Nodes());
        Assert.Equal([("10.0.0.2", 5701), ("node-b", 5680), ("10.0.0.4", 5703)], cluster.Nodes());
        Assert.Equal("10.0.0.2:5701, node-b:5680, 10.0.0.4:5703", cluster.Describe());
    }
}
