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
}
