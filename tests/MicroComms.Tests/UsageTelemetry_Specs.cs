using MassTransit.UsageTracking;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests;

public sealed class UsageTelemetry_Specs
{
    [Fact]
    public void A_MicroComms_bus_never_reports_usage_telemetry_to_MassTransit()
    {
        using var host = MicroCommsTestHost.Build(BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase()), _ => { }, _ => { });

        // The tracker is what MassTransit asks before it schedules its report; it also applies MASSTRANSIT_USAGE_TELEMETRY.
        var tracker = Assert.IsType<UsageTracker>(host.Services.GetRequiredService<IUsageTracker>());

        Assert.False(tracker.Enabled, "MassTransit's usage telemetry is on: it would post to the vendor's host after start.");
    }
}
